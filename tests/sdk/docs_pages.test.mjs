// GET /docs (Swagger UI) and GET /redoc (ReDoc) of the built gateway, rendered by a real browser:
// Debian's Chromium, headless, driven by puppeteer-core (pinned in package-lock.json). Both
// pages must list the gateway's operations, and no request may leave the loopback address:
// the pages' scripts and styles are embedded in the gateway, so they work offline.
//
// Run: GW_DEPLOYMENTS_BIN=build/deployments node --test tests/sdk/
// Skipped, with a message, only when there is no Chromium (CHROMIUM_BIN, default
// /usr/bin/chromium; `bash .ci/setup` installs Debian's `chromium`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startGateway, exampleConfig } from './gateway_process.mjs';
import { keepToLoopback, launchBrowser } from './browser.mjs';

const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const skip = fs.existsSync(chromium)
  ? false
  : `no Chromium at ${chromium}: install Debian's chromium (bash .ci/setup) to render /docs and /redoc`;
// Rendering a 1.7 MB bundle on a busy 2-core machine (ctest -j2, sanitizer builds) takes a while.
const renderTimeout = 90_000;

let gateway;
let browser;

before(async () => {
  if (skip) return;
  gateway = await startGateway(exampleConfig);
  browser = await launchBrowser(chromium);
});

after(async () => {
  await browser?.close();
  if (gateway) assert.equal(await gateway.stop(), 0);
});

// Opens `path` of the gateway, refusing (and recording) every request that is not to the
// loopback address, and recording script errors and failed responses.
async function open(path) {
  const page = await browser.newPage();
  const seen = { outside: [], errors: [], failed: [] };
  await keepToLoopback(page, seen);
  page.on('response', (r) => {
    if (r.status() >= 400) seen.failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(gateway.url + path, { waitUntil: 'load', timeout: renderTimeout });
  return { page, seen };
}

function assertClean(seen) {
  assert.deepEqual(seen.outside, [], 'requests that left 127.0.0.1');
  assert.deepEqual(seen.errors, [], 'script errors');
  assert.deepEqual(seen.failed, [], 'failed responses');
}

test('GET /docs renders every operation in Swagger UI without leaving loopback', { skip }, async () => {
  const { page, seen } = await open('/docs');
  assert.equal(await page.title(), 'LLM Gateway - Swagger UI');
  await page.waitForSelector('.opblock', { timeout: renderTimeout });
  const listed = await page.$$eval('.opblock', (blocks) => blocks.map((b) => {
    const method = b.querySelector('.opblock-summary-method')?.textContent.trim().toLowerCase();
    const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path');
    return `${method} ${path}`;
  }));
  for (const op of ['post /v1/chat/completions', 'post /v1/completions', 'post /v1/embeddings',
    'get /v1/models', 'post /endpoints/{name}/invocations', 'get /api/2.0/endpoints/',
    'get /health', 'get /openapi.json']) {
    assert.ok(listed.includes(op), `${op} not in ${listed.join(', ')}`);
  }
  const response = await fetch(`${gateway.url}/openapi.json`);
  const doc = await response.json();
  const documented = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  assert.equal(listed.length, documented);
  assertClean(seen);
  await page.close();
});

test('GET /redoc renders the operations in ReDoc without leaving loopback', { skip }, async () => {
  const { page, seen } = await open('/redoc');
  assert.equal(await page.title(), 'LLM Gateway - ReDoc');
  // ReDoc gives each operation a section `operation/<operationId>`.
  await page.waitForSelector('[data-section-id^="operation/"]', { timeout: renderTimeout });
  const sections = await page.$$eval('[data-section-id^="operation/"]',
    (els) => els.map((e) => e.getAttribute('data-section-id')));
  for (const id of ['create_chat_completion', 'create_embeddings', 'invoke_endpoints_name_invocations',
    'list_endpoints', 'health']) {
    assert.ok(sections.includes(`operation/${id}`), `${id} not in ${sections.join(', ')}`);
  }
  const text = await page.evaluate(() => document.body.innerText.replace(/\u200b/g, ''));
  for (const path of ['/v1/chat/completions', '/endpoints/{name}/invocations'])
    assert.ok(text.includes(path), `${path} not on the page`);
  assertClean(seen);
  await page.close();
});
