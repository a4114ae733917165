// The Dashboard: the last five minutes of stats samples (one every 2 s, from poller.js), kept
// from the start, and drawn by charts.js (uPlot) once the tab is shown: charts.js is loaded on
// first use, so the page's first load does not pay for the chart library. A table gives the
// latest figures as text.
import { h, byId, setChildren, fmt, showError } from './dom.js';
import { METRICS, intervalMetrics, totalRequests } from './stats.js';

const WINDOW_S = 300;

const el = {
  charts: byId('dash-charts'),
  table: byId('dash-table'),
  requests: byId('dash-requests'),
  updated: byId('dash-updated'),
  reloads: byId('dash-reloads'),
  error: byId('dash-error'),
};

let last = null;      // the latest sample
let points = [];      // {time, byEndpoint: Map(name -> metrics)}, oldest first, last WINDOW_S
let visible = false;
let charts = null;    // import('./charts.js'), once the dashboard has been shown

export function addSample(sample) {
  if (last && sample.started === last.started && sample.now > last.now) {
    points.push(intervalMetrics(last, sample));
  } else if (last) {
    points = [];  // the gateway restarted: its counters began again
  }
  last = sample;
  points = points.filter((p) => p.time >= sample.now - WINDOW_S);
  el.requests.textContent = fmt(totalRequests(sample));
  el.updated.textContent = new Date(sample.now * 1000).toLocaleTimeString('en-GB', { hour12: false });
  const lastReload = sample.reloads?.at(-1);
  el.reloads.textContent = lastReload
    ? `${new Date(lastReload.time * 1000).toLocaleTimeString('en-GB', { hour12: false })}${lastReload.ok ? '' : ' (refused)'}`
    : 'none';
  renderTable();
  if (visible) draw();
}

export function setDashboardVisible(show) {
  visible = show;
  if (show) draw();
}

function draw() {
  if (!last) return;
  charts ??= import('./charts.js');
  charts
    .then((module) => {
      if (visible) module.drawCharts(el.charts, last, points);
    })
    .catch((error) =>
      showError(el.error, { title: 'The charts could not be loaded', lines: [String(error?.message ?? error)] }));
}

// The latest figures per endpoint, as text (also what a screen reader gets).
function renderTable() {
  const latest = points.at(-1);
  setChildren(el.table,
    h('caption', {}, 'Latest 2-second interval'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Endpoint'),
      METRICS.map((m) => h('th', { scope: 'col' }, `${m.title} (${m.unit})`)))),
    h('tbody', {}, (last?.endpoints ?? []).map((ep) => h('tr', { 'data-name': ep.name },
      h('th', { scope: 'row' }, ep.name),
      METRICS.map((m) => h('td', { class: 'num' }, fmt(latest?.byEndpoint.get(ep.name)?.[m.id], 2)))))));
}

window.addEventListener('resize', () => {
  if (visible) draw();
});
