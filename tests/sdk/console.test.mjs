// The web console (GET /ui, docs/console.md) of the built gateway, driven by a real browser:
// Debian's Chromium, headless, through puppeteer-core (as docs_pages.test.mjs). Each test uses
// the console as a person would (tabs, forms, buttons) and checks what it shows, that the page
// logged no error, and that no request left 127.0.0.1. Screenshots go to $GW_ARTIFACTS_DIR
// (default <tmp>/gateway-console-artifacts).
//
// The gateway is configured with `mock` endpoints and `openai` endpoints pointed at a fake
// upstream run by this file (OpenAI's wire format; its stream sends one word every 40 ms, so a
// streamed answer visibly arrives in parts). The fake records what it received.
//
// Run: GW_DEPLOYMENTS_BIN=build/deployments node --test tests/sdk/
// Skipped, with a message, only when there is no Chromium (CHROMIUM_BIN, default
// /usr/bin/chromium; `bash .ci/setup` installs Debian's `chromium`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startGateway } from './gateway_process.mjs';
import { keepToLoopback, launchBrowser } from './browser.mjs';

const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const skip = fs.existsSync(chromium)
  ? false
  : `no Chromium at ${chromium}: install Debian's chromium (bash .ci/setup) to drive the console`;
const artifacts = process.env.GW_ARTIFACTS_DIR ?? path.join(os.tmpdir(), 'gateway-console-artifacts');
const timeout = 30_000;
const TEAM_KEY = 'team-a-console-test-key-0123456789abcdef';  // >= 32 characters
const UPSTREAM_KEY = 'test-key';
const STREAM_WORDS = ['Hello', ' from', ' the', ' fake', ' upstream'];

// --- the fake OpenAI upstream --------------------------------------------------------------

const received = [];  // {path, authorization, body} per request

function upstreamHandler(req, res) {
  let text = '';
  req.on('data', (c) => { text += c; });
  req.on('end', async () => {
    const body = JSON.parse(text || '{}');
    received.push({ path: req.url, authorization: req.headers.authorization, xApiKey: req.headers['x-api-key'], body });
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    const json = (value) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.url.endsWith('/chat/completions') && body.stream) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const chunk = (choices, extra = {}) => res.write(`data: ${JSON.stringify({
        id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1764694800, model: body.model, choices, ...extra,
      })}\n\n`);
      chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
      for (const word of STREAM_WORDS) {
        await new Promise((resolve) => setTimeout(resolve, 40));
        chunk([{ index: 0, delta: { content: word }, finish_reason: null }]);
      }
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
      if (body.stream_options?.include_usage) chunk([], { usage });
      res.end('data: [DONE]\n\n');
    } else if (req.url.endsWith('/chat/completions')) {
      const last = body.messages?.at(-1)?.content ?? '';
      json({ id: 'chatcmpl-fake', object: 'chat.completion', created: 1764694800, model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: `Echo: ${last}` }, finish_reason: 'stop' }], usage });
    } else if (req.url.endsWith('/completions')) {
      json({ id: 'cmpl-fake', object: 'text_completion', created: 1764694800, model: body.model,
        choices: [{ index: 0, text: `Completed: ${body.prompt}`, finish_reason: 'stop' }], usage });
    } else if (req.url.endsWith('/embeddings')) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      // 5 dimensions from the text's character codes: different inputs, different vectors.
      const vector = (s) => Array.from({ length: 5 }, (_, k) =>
        [...s].reduce((a, ch, i) => a + Math.sin(ch.charCodeAt(0) * (k + 1) + i), 0));
      json({ object: 'list', model: body.model, usage: { prompt_tokens: 6, total_tokens: 6 },
        data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: vector(String(s)) })) });
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":{"message":"unknown path"}}');
    }
  });
}

// --- configs -----------------------------------------------------------------------------

const openai = (name, base) =>
  `{provider: openai, name: ${name}, config: {openai_api_key: ${UPSTREAM_KEY}, openai_api_base: ${base}}}`;

// extra: more endpoint lines (the dashboard test adds one to cause a reload).
function openConfig(base, extra = '') {
  return `endpoints:
  - {name: chat, endpoint_type: llm/v1/chat, model: ${openai('gpt-x', base)}}
  - {name: mock-chat, endpoint_type: llm/v1/chat, model: {provider: mock, name: mock-chat}}
  - {name: completions, endpoint_type: llm/v1/completions, model: {provider: mock, name: mock-completions}}
  - {name: embeddings, endpoint_type: llm/v1/embeddings, model: ${openai('emb-x', base)}}
  - name: limited
    endpoint_type: llm/v1/chat
    model: {provider: mock, name: mock-chat}
    limit: {calls: 1, renewal_period: minute}
${extra}routes:
  - name: split
    task_type: llm/v1/chat
    destinations: [{name: chat, traffic_percentage: 60}, {name: mock-chat, traffic_percentage: 40}]
`;
}

function keysConfig(base) {
  return `auth:
  keys:
    - {name: team-a, key: ${TEAM_KEY}, endpoints: [chat]}
endpoints:
  - {name: chat, endpoint_type: llm/v1/chat, model: ${openai('gpt-x', base)}}
  - {name: other, endpoint_type: llm/v1/chat, model: {provider: mock, name: mock-chat}}
`;
}

// --- set-up --------------------------------------------------------------------------------

let upstream;
let upstreamBase;  // http://127.0.0.1:<port>/v1
let tmp;
let openConfigPath;
let gateway;       // openConfig
let keyed;         // keysConfig
let browser;

before(async () => {
  if (skip) return;
  fs.mkdirSync(artifacts, { recursive: true });
  upstream = http.createServer(upstreamHandler);
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${upstream.address().port}/v1`;
  upstreamBase = base;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-console-'));
  openConfigPath = path.join(tmp, 'open.yaml');
  fs.writeFileSync(openConfigPath, openConfig(base));
  fs.writeFileSync(path.join(tmp, 'keys.yaml'), keysConfig(base));
  gateway = await startGateway(openConfigPath);
  keyed = await startGateway(path.join(tmp, 'keys.yaml'));
  browser = await launchBrowser(chromium);
});

after(async () => {
  await browser?.close();
  if (gateway) assert.equal(await gateway.stop(), 0);
  if (keyed) assert.equal(await keyed.stop(), 0);
  upstream?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// Opens the console of `gw` (at /ui, which redirects to /ui/), refusing and recording every
// request not to 127.0.0.1, and recording script errors, console errors and failed responses.
async function openConsole(gw) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.setDefaultTimeout(timeout);
  const seen = { outside: [], errors: [], console: [], failed: [] };
  await keepToLoopback(page, seen);
  page.on('console', (message) => {
    if (message.type() === 'error') seen.console.push(message.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) seen.failed.push(r.status());
  });
  await page.goto(`${gw.url}/ui`, { waitUntil: 'load', timeout });
  return { page, seen };
}

// No request left loopback, no script error, and the only console errors and failed responses
// are Chromium's "Failed to load resource" for the `expected` statuses (a 401 or 429 the test
// provoked on purpose).
function assertClean(seen, expected = []) {
  assert.deepEqual(seen.outside, [], 'requests that left 127.0.0.1');
  assert.deepEqual(seen.errors, [], 'script errors');
  const expectedLog = new RegExp(`^Failed to load resource: the server responded with a status of (${
    expected.join('|') || 'none'}) `);
  assert.deepEqual(seen.console.filter((text) => !expectedLog.test(text)), [], 'console errors');
  assert.deepEqual(seen.failed.filter((status) => !expected.includes(status)), [], 'failed responses');
}

const screenshot = (page, name) => page.screenshot({ path: path.join(artifacts, name), fullPage: true });
const text = (page, selector) => page.$eval(selector, (e) => e.textContent.trim());

// Sets a text field's value as typing would (an input event follows).
async function fill(page, selector, value) {
  await page.$eval(selector, (e, v) => {
    e.value = v;
    e.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

async function showTab(page, name) {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#view-${name}:not([hidden])`);
}

// Whether a canvas shows something: pixels that are not transparent, in more than one colour
// (RGBA: uPlot's axes and grid are black at various opacities).
const canvasDrawn = (page, selector) => page.$eval(selector, (canvas) => {
  if (!canvas.width || !canvas.height) return false;
  const data = new Uint32Array(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data.buffer);
  const colours = new Set(data.filter((rgba) => rgba !== 0));
  return colours.size > 1;
});

// --- tests ---------------------------------------------------------------------------------

test('the page, its assets and their headers: CSP, nosniff, gzip, immutable hashed assets', { skip }, async () => {
  const redirect = await fetch(`${gateway.url}/ui`, { redirect: 'manual' });
  assert.ok([301, 302, 307, 308].includes(redirect.status), `GET /ui: ${redirect.status}`);
  assert.equal(redirect.headers.get('location'), 'ui/');
  const page = await fetch(`${gateway.url}/ui/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const csp = page.headers.get('content-security-policy');
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
    "frame-ancestors 'none'"]) assert.ok(csp.includes(directive), `${directive} not in ${csp}`);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const html = await page.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'an inline script');
  assert.doesNotMatch(html, /\sstyle=|<style/, 'an inline style');
  assert.doesNotMatch(html, /https?:\/\//, 'an absolute URL');
  // The page's module and style sheet, and the modules it imports (preloaded); the dashboard's
  // charts module is loaded on first use (its weight is checked in the dashboard test).
  const assets = [...html.matchAll(/(?:src|href)="(assets\/[0-9a-zA-Z_-]+\.(?:js|css))"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => /^assets\/main-[0-9A-Z]+\.js$/.test(a)), `the module in ${html}`);
  assert.ok(assets.some((a) => /^assets\/main-[0-9A-Z]+\.css$/.test(a)), `the style sheet in ${html}`);
  // The transferred weight (gzip) of the page and its assets stays under 300 KB.
  let weight = 0;
  for (const target of ['', ...assets]) {
    const response = await new Promise((resolve, reject) => {
      http.get(`${gateway.url}/ui/${target}`, { headers: { 'Accept-Encoding': 'gzip' } }, resolve).on('error', reject);
    });
    const chunks = [];
    for await (const c of response) chunks.push(c);
    assert.equal(response.statusCode, 200, target);
    assert.equal(response.headers['content-encoding'], 'gzip', target);
    assert.equal(response.headers['x-content-type-options'], 'nosniff', target);
    if (target) assert.match(response.headers['cache-control'], /immutable/, target);
    weight += Buffer.concat(chunks).length;
  }
  assert.ok(weight < 300 * 1024, `${weight} bytes compressed`);
});

test('Endpoints lists every endpoint and route with type, provider and model; search filters', { skip }, async (t) => {
  const { page, seen } = await openConsole(gateway);
  await page.waitForSelector('#ep-table tbody tr[data-name="limited"]');
  const rows = await page.$$eval('#ep-table tbody tr', (trs) => trs.map((tr) =>
    [...tr.cells].slice(0, 5).map((td) => td.textContent.trim())));
  const byName = Object.fromEntries(rows.map((r) => [r[0], r]));
  assert.deepEqual(Object.keys(byName), ['chat', 'mock-chat', 'completions', 'embeddings', 'limited']);
  assert.deepEqual(byName.chat.slice(1, 4), ['chat', 'openai', 'gpt-x']);
  assert.deepEqual(byName.completions.slice(1, 4), ['completions', 'mock', 'mock-completions']);
  assert.deepEqual(byName.embeddings.slice(1, 4), ['embeddings', 'openai', 'emb-x']);
  assert.match(byName.limited[4], /1 \/ minute/);
  const route = await text(page, '#route-table tr[data-name="split"]');
  assert.match(route, /chat\s*60 %/);
  assert.match(route, /mock-chat\s*40 %/);
  // Load time of the page itself (reported, not asserted: CI machines are busy).
  const loaded = await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  t.diagnostic(`console loaded in ${Math.round(loaded)} ms`);

  await fill(page, '#ep-search', 'mock-compl');
  const visible = () => page.$$eval('#ep-table tbody tr:not([hidden])', (trs) => trs.map((tr) => tr.dataset.name));
  assert.deepEqual(await visible(), ['completions']);
  await fill(page, '#ep-search', '');
  await page.select('#ep-type', 'llm/v1/embeddings');
  assert.deepEqual(await visible(), ['embeddings']);
  await page.select('#ep-type', '');
  await screenshot(page, 'console-endpoints.png');
  assertClean(seen);
  await page.close();
});

test('Playground chat streams the answer in parts and shows TTFT, time, tokens and the endpoint', { skip }, async () => {
  const { page, seen } = await openConsole(gateway);
  await page.click('#ep-table tr[data-name="chat"] button');  // "Try": opens the playground on it
  await page.waitForSelector('#view-playground:not([hidden])');
  assert.equal(await page.$eval('#pg-endpoint', (s) => s.value), 'chat');
  await fill(page, '#pg-messages .content', 'Say hello');
  await fill(page, '#pg-temperature', '0.5');
  // Every distinct text the answer shows while the stream arrives.
  await page.$eval('#pg-answer', (answer) => {
    window.answerTexts = [];
    new MutationObserver(() => {
      const t = answer.textContent;
      if (t && t !== window.answerTexts.at(-1)) window.answerTexts.push(t);
    }).observe(answer, { childList: true, characterData: true, subtree: true });
  });
  const before = received.length;
  await page.click('#pg-send');
  await page.waitForFunction(() => document.querySelector('#pg-status').textContent === 'Done');
  const final = STREAM_WORDS.join('');
  assert.equal(await text(page, '#pg-answer'), final);
  const texts = await page.evaluate(() => window.answerTexts);
  assert.ok(texts.length >= 2, `the answer arrived at once: ${JSON.stringify(texts)}`);
  texts.forEach((t, i) => assert.ok(final.startsWith(t) && (i === 0 || t.length > texts[i - 1].length), t));
  assert.match(await text(page, '#pg-ttft'), /^\d[\d,]* ms$/);
  assert.match(await text(page, '#pg-total'), /^\d[\d,]* ms$/);
  assert.equal(await text(page, '#pg-tokens-in'), '11');
  assert.equal(await text(page, '#pg-tokens-out'), '7');
  assert.equal(await text(page, '#pg-answered-by'), 'chat');
  const call = received.slice(before).find((r) => r.path.endsWith('/chat/completions'));
  assert.equal(call.body.model, 'gpt-x');
  assert.equal(call.body.stream, true);
  assert.equal(call.body.temperature, 0.5);
  assert.deepEqual(call.body.messages, [{ role: 'user', content: 'Say hello' }]);
  assert.equal(call.authorization, `Bearer ${UPSTREAM_KEY}`);
  await screenshot(page, 'console-chat.png');

  // "Continue conversation" appends the answer as an assistant message.
  await page.click('#pg-continue');
  const roles = await page.$$eval('#pg-messages .role', (s) => s.map((e) => e.value));
  assert.deepEqual(roles, ['user', 'assistant', 'user']);
  assert.equal(await page.$eval('#pg-messages li:nth-child(2) .content', (e) => e.value), final);
  // The snippets show the same request, without a key (none is configured).
  await showTab(page, 'snippets');
  const curl = await text(page, '#snippet-curl');
  // The address is shell-quoted (a path prefix could hold characters the shell would run).
  assert.ok(curl.startsWith(`curl -N '${gateway.url}/v1/chat/completions'`), curl);
  assert.ok(curl.includes('"model": "chat"') && !curl.includes('Authorization'), curl);
  assert.match(await text(page, '#snippet-python'), /OpenAI\(base_url="http:\/\/127\.0\.0\.1:\d+\/v1"/);
  assert.match(await text(page, '#snippet-mlflow'), /get_deploy_client\("http:\/\/127\.0\.0\.1:\d+"\)/);
  assertClean(seen);
  await page.close();
});

test('Templates run two rows against two endpoints; the grid and the CSV hold every cell', { skip }, async () => {
  const { page, seen } = await openConsole(gateway);
  await showTab(page, 'templates');
  await page.waitForSelector('#tpl-endpoints input[value="completions"]');
  await fill(page, '#tpl-template', 'Say "{{word}}", in {{lang}}');
  await page.click('#tpl-add-row');
  const values = [['hello', 'French'], ['bye', 'German']];
  for (const [r, [word, lang]] of values.entries()) {
    await fill(page, `#tpl-vars tbody tr:nth-child(${r + 1}) input[data-var="word"]`, word);
    await fill(page, `#tpl-vars tbody tr:nth-child(${r + 1}) input[data-var="lang"]`, lang);
  }
  // Exactly `chat` and `completions`.
  await page.$$eval('#tpl-endpoints input', (boxes) => boxes.forEach((box) => {
    if (box.checked !== ['chat', 'completions'].includes(box.value)) box.click();
  }));
  await page.click('#tpl-run');
  await page.waitForFunction(() => document.querySelector('#tpl-status').textContent.startsWith('Done'));
  const grid = await page.$$eval('#tpl-results tbody tr', (trs) => trs.map((tr) =>
    Object.fromEntries([...tr.querySelectorAll('td.cell')].map((td) =>
      [td.dataset.endpoint, { output: td.querySelector('.output')?.textContent, meta: td.querySelector('.meta').textContent }]))));
  assert.equal(grid.length, 2);
  for (const [r, [word, lang]] of values.entries()) {
    const prompt = `Say "${word}", in ${lang}`;
    assert.equal(grid[r].chat.output, `Echo: ${prompt}`);
    assert.match(grid[r].completions.output, new RegExp(lang));
    assert.match(grid[r].chat.meta, /^\d[\d,]* ms · 11 in \/ 7 out$/);
    assert.match(grid[r].completions.meta, /^\d[\d,]* ms · \d+ in \/ \d+ out$/);
  }
  // The exported file: the Blob the Export CSV button saves (RFC 4180: CRLF line ends).
  await page.evaluate(() => {
    window.savedBlobs = [];
    const create = URL.createObjectURL;
    URL.createObjectURL = (blob) => {
      window.savedBlobs.push(blob);
      return create(blob);
    };
  });
  await page.click('#tpl-export-csv');
  await page.waitForFunction(() => window.savedBlobs.length === 1);
  const csv = await page.evaluate(() => window.savedBlobs[0].text());
  assert.equal(await page.evaluate(() => window.savedBlobs[0].type), 'text/csv');
  // The preview shows the same text (a textarea turns CRLF into LF).
  assert.equal(await page.$eval('#tpl-csv', (e) => e.value), csv.replace(/\r\n/g, '\n'));
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'row,word,lang,endpoint,output,latency_ms,tokens_in,tokens_out,error');
  assert.equal(lines.length, 6, csv);  // header, 4 cells, '' after the last CRLF
  assert.equal(lines[5], '');
  assert.match(lines[1], /^1,hello,French,chat,"Echo: Say ""hello"", in French",\d+,11,7,$/);
  assert.match(lines[4], /^2,bye,German,completions,"[^\r\n]*German[^\r\n]*",\d+,\d+,\d+,$/);
  assert.ok(await page.$eval('#tpl-export-csv', (b) => !b.disabled));
  assert.ok(await page.$eval('#tpl-export-json', (b) => !b.disabled));
  await page.$eval('.csv-preview', (d) => { d.open = true; });
  await screenshot(page, 'console-templates.png');
  assertClean(seen);
  await page.close();
});

test('Playground embeddings: the dimension and a cosine-similarity heat map', { skip }, async () => {
  const { page, seen } = await openConsole(gateway);
  await showTab(page, 'playground');
  await page.waitForSelector('#pg-endpoint option[value="embeddings"]');
  await page.select('#pg-endpoint', 'embeddings');
  await fill(page, '#pg-inputs', 'red apple\ngreen apple\nstock market');
  const before = received.length;
  await page.click('#pg-send');
  await page.waitForFunction(() => document.querySelector('#pg-status').textContent === 'Done');
  assert.equal(await text(page, '#pg-dims'), '5');
  assert.ok(await canvasDrawn(page, '#pg-heatmap'), 'blank heat map');
  const cells = await page.$$eval('#pg-sim-table tbody tr', (trs) => trs.map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))));
  assert.equal(cells.length, 3);
  cells.forEach((row, i) => assert.equal(row[i], 1));  // each input is identical to itself
  const call = received.slice(before).find((r) => r.path.endsWith('/embeddings'));
  assert.deepEqual(call.body.input, ['red apple', 'green apple', 'stock market']);
  assert.equal(call.body.model, 'emb-x');
  await screenshot(page, 'console-embeddings.png');
  assertClean(seen);
  await page.close();
});

test('a 429 is shown with its retry time', { skip }, async () => {
  const { page, seen } = await openConsole(gateway);
  await showTab(page, 'playground');
  await page.waitForSelector('#pg-endpoint option[value="limited"]');
  await page.select('#pg-endpoint', 'limited');
  await page.click('#pg-send');
  await page.waitForFunction(() => document.querySelector('#pg-status').textContent === 'Done');
  await page.click('#pg-send');
  await page.waitForFunction(() => document.querySelector('#pg-status').textContent === 'Failed');
  const message = await text(page, '#pg-error');
  assert.match(message, /Rate limit reached — retry in \d+ s \(at \d\d:\d\d:\d\d\)/);
  assert.match(message, /Rate limit exceeded: 1 per 1 minute/);
  assert.doesNotMatch(message, /[{}]/, 'raw JSON');
  await screenshot(page, 'console-429.png');
  assertClean(seen, [429]);
  await page.close();
});

test('Dashboard charts the stats and follows new traffic and reloads', { skip }, async () => {
  const { page, seen } = await openConsole(gateway);
  await showTab(page, 'dashboard');
  await page.waitForFunction(() => document.querySelectorAll('#dash-charts canvas').length === 8);
  await page.waitForFunction(() => /^\d/.test(document.querySelector('#dash-requests').textContent));
  const count = async () => Number((await text(page, '#dash-requests')).replace(/,/g, ''));
  const before = await count();
  // Traffic from the page itself, through the API.
  await page.evaluate(async () => {
    for (let i = 0; i < 3; i++) {
      const r = await fetch('../v1/chat/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: `ping ${i}` }] }) });
      await r.text();
    }
  });
  await page.waitForFunction((n) => Number(document.querySelector('#dash-requests').textContent.replace(/,/g, '')) >= n,
    {}, before + 3);
  // The interval with the three calls has a request rate above 0 for mock-chat.
  await page.waitForFunction(() => {
    const cell = document.querySelector('#dash-table tr[data-name="mock-chat"] td');
    return cell && Number(cell.textContent) > 0;
  });
  const canvases = await page.$$('#dash-charts canvas');
  for (const [i] of canvases.entries()) {
    assert.ok(await canvasDrawn(page, `#dash-charts .chart:nth-child(${i + 1}) canvas`), `chart ${i + 1} is blank`);
  }
  // A changed configuration is reloaded: the reload appears (and a marker line on the charts),
  // and so does the new endpoint.
  const lastReload = await text(page, '#dash-reloads');
  fs.writeFileSync(openConfigPath, openConfig(upstreamBase,
    '  - {name: extra, endpoint_type: llm/v1/chat, model: {provider: mock, name: mock-chat}}\n'));
  await page.waitForFunction((was) => document.querySelector('#dash-reloads').textContent !== was, {}, lastReload);
  assert.match(await text(page, '#dash-reloads'), /^\d\d:\d\d:\d\d$/);
  await page.waitForSelector('#dash-table tr[data-name="extra"]');
  // Everything the console loaded, the charts' module included, weighs under 300 KB as sent.
  const weight = await page.evaluate(() => [...performance.getEntriesByType('navigation'),
    ...performance.getEntriesByType('resource')].filter((e) => /\/ui\//.test(e.name))
    .reduce((sum, e) => sum + e.encodedBodySize, 0));
  assert.ok(weight > 10_000 && weight < 300 * 1024, `${weight} bytes compressed`);
  await screenshot(page, 'console-dashboard.png');
  assertClean(seen);
  await page.close();
});

test('with client keys: a wrong key is refused, the right one shows only its endpoints', { skip }, async () => {
  const { page, seen } = await openConsole(keyed);
  await page.waitForSelector('#key-dialog[open] #key-input');
  assert.equal(await page.$eval('#key-input', (e) => e.type), 'password');
  await page.type('#key-input', 'not-the-key-0123456789abcdef0123456789');
  await page.click('#key-submit');
  await page.waitForSelector('#key-dialog[open] #key-error:not([hidden])');
  assert.match(await text(page, '#key-error'), /refused/);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await screenshot(page, 'console-key.png');

  await page.type('#key-input', TEAM_KEY);
  await page.click('#key-submit');
  await page.waitForSelector('#ep-table tbody tr[data-name="chat"]');
  assert.equal(await page.$eval('#key-dialog', (d) => d.open), false);
  assert.deepEqual(await page.$$eval('#ep-table tbody tr', (trs) => trs.map((tr) => tr.dataset.name)), ['chat']);
  // The key is in sessionStorage only, never in localStorage or the URL.
  assert.deepEqual(await page.evaluate(() => Object.values(sessionStorage)), [TEAM_KEY]);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.ok(!page.url().includes(TEAM_KEY));

  // A chat with the key: the upstream gets the endpoint's own key, never the client's.
  const before = received.length;
  await showTab(page, 'playground');
  await page.select('#pg-endpoint', 'chat');
  await page.click('#pg-send');
  await page.waitForFunction(() => document.querySelector('#pg-status').textContent === 'Done');
  assert.equal(await text(page, '#pg-answer'), STREAM_WORDS.join(''));
  const calls = received.slice(before);
  assert.ok(calls.length >= 1);
  for (const call of calls) {
    assert.equal(call.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.ok(!JSON.stringify(call).includes(TEAM_KEY), 'the client key reached the upstream');
  }
  // The snippets name $GATEWAY_KEY, never the key itself.
  await showTab(page, 'snippets');
  const snippets = await text(page, '#snippets');
  assert.ok(snippets.includes('Authorization: Bearer $GATEWAY_KEY'), snippets);
  assert.ok(!snippets.includes(TEAM_KEY), 'the key is in a snippet');

  // Sign out forgets the key and asks again.
  await page.click('#sign-out');
  await page.waitForSelector('#key-dialog[open]');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assertClean(seen, [401]);
  await page.close();
});

test('--no-ui: no console', { skip }, async () => {
  const plain = await startGateway(openConfigPath, ['--no-ui']);
  try {
    for (const target of ['/ui', '/ui/']) assert.equal((await fetch(plain.url + target, { redirect: 'manual' })).status, 404);
  } finally {
    assert.equal(await plain.stop(), 0);
  }
});
