// The console's load time and weight (docs/console.md, "Speed"): opens /ui/ in headless
// Chromium, each time in a fresh browser context (empty cache), interleaved with /health (a
// page with no script: the browser's own floor on this machine), and prints the medians and
// ranges of navigation start -> load event, of the time until the endpoint table is filled
// (the first stats answer drawn), and the bytes transferred (gzip).
//
// Run from the repository root after building (needs tests/sdk's npm packages and Chromium):
//   node tests/bench/console_load.mjs [ROUNDS]       (GW_DEPLOYMENTS_BIN, default build/deployments)
import puppeteer from '../sdk/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js';
import { startGateway, exampleConfig } from '../sdk/gateway_process.mjs';

const rounds = Number(process.argv[2] ?? 15);
const gateway = await startGateway(exampleConfig);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking'],
});

async function visit(path, ready) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.goto(gateway.url + path, { waitUntil: 'load' });
  if (ready) await page.waitForSelector(ready);
  const figures = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const all = [nav, ...performance.getEntriesByType('resource')];
    return { load: nav.loadEventEnd, ready: performance.now(),
      bytes: all.reduce((sum, e) => sum + e.encodedBodySize, 0) };
  });
  await context.close();
  return figures;
}

const samples = { health: [], ui: [] };
await visit('/ui/', '#ep-table tbody tr[data-name]');  // warm-up: browser and gateway
for (let i = 0; i < rounds; i++) {
  samples.health.push(await visit('/health'));
  samples.ui.push(await visit('/ui/', '#ep-table tbody tr[data-name]'));
}
await browser.close();
await gateway.stop();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
const row = (name, key, list) => {
  const xs = list.map((s) => s[key]);
  console.log(`${name.padEnd(36)} median ${median(xs).toFixed(0).padStart(5)} ms  (${range(xs)} ms)`);
};
console.log(`${rounds} rounds, fresh context each (empty cache), interleaved`);
row('/health: load event (browser floor)', 'load', samples.health);
row('/ui/: load event', 'load', samples.ui);
row('/ui/: endpoints listed', 'ready', samples.ui);
console.log(`${'/ui/: bytes transferred (gzip)'.padEnd(36)} ${median(samples.ui.map((s) => s.bytes))} B`);
