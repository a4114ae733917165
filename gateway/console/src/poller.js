// Polls GET ../api/2.0/gateway/stats every 2 s and hands each sample to the subscribers (the
// endpoint list and the dashboard). Paused while the gateway answers 401, until a key is set.
import { getJson, apiEvents } from './api.js';

const STATS = '../api/2.0/gateway/stats';
const PERIOD_MS = 2000;

const sampleListeners = [];
const errorListeners = [];
let timer = null;
let paused = false;
let inFlight = false;
let again = false;  // pollNow() was called during a fetch: fetch once more right after it

export const onSample = (fn) => sampleListeners.push(fn);
export const onPollError = (fn) => errorListeners.push(fn);

// Fetches a sample now (and goes on every 2 s).
export async function pollNow() {
  clearTimeout(timer);
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    const sample = await getJson(STATS);
    paused = false;
    for (const fn of sampleListeners) fn(sample);
  } catch (error) {
    paused = error.status === 401;
    for (const fn of errorListeners) fn(error);
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      pollNow();
    } else if (!paused) {
      timer = setTimeout(pollNow, PERIOD_MS);
    }
  }
}

apiEvents.addEventListener('key-changed', () => {
  paused = false;
  pollNow();
});
