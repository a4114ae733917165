// The console's browser-free modules under Node (no Chromium, no gateway): the histogram
// quantiles and rates of the dashboard, the CSV export, the SSE reader, and the error texts.
// The browser tests (console.test.mjs) cover the rest through the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, histogramDelta, intervalMetrics } from '../../gateway/console/src/stats.js';
import { toCsv } from '../../gateway/console/src/export.js';
import { readSse } from '../../gateway/console/src/sse.js';
import { problemLines, retryTime, rateLimitTitle } from '../../gateway/console/src/api.js';

test('quantile: linear inside the bucket, +Inf gives the largest bound, empty gives null', () => {
  const bounds = [0.01, 0.1, 1];
  assert.equal(quantile([0, 0, 0, 0], bounds, 0.5), null);
  assert.equal(quantile([4, 0, 0, 0], bounds, 0.5), 0.005);          // half of [0, 0.01]
  assert.ok(Math.abs(quantile([0, 10, 0, 0], bounds, 0.5) - 0.055) < 1e-12);  // 0.01 + 0.09 / 2
  assert.ok(Math.abs(quantile([5, 5, 0, 0], bounds, 0.99) - 0.0982) < 1e-12);
  assert.equal(quantile([0, 0, 0, 3], bounds, 0.5), 1);
});

test('histogramDelta and intervalMetrics work on the difference of two samples', () => {
  assert.deepEqual(histogramDelta({ counts: [1, 2, 0] }, { counts: [3, 2, 1] }), [2, 0, 1]);
  assert.equal(histogramDelta({ counts: [5, 0, 0] }, { counts: [1, 0, 0] }), null);  // a restart
  const ep = (n, tokens, counts) => ({ name: 'chat', requests: { '2xx': n, '4xx': 1, '5xx': 0 },
    tokens_in: tokens, tokens_out: tokens, latency: { counts }, overhead: { counts: [n, 0] }, ttft: { counts } });
  const buckets = { seconds: [0.01, 0.1], overhead: [0.001] };
  const prev = { now: 100, buckets, endpoints: [ep(2, 10, [2, 0, 0])] };
  const cur = { now: 102, buckets, endpoints: [ep(6, 30, [2, 4, 0])] };
  const m = intervalMetrics(prev, cur).byEndpoint.get('chat');
  assert.equal(m.rate, 2);     // 4 requests in 2 s
  assert.equal(m.errors, 0);
  assert.equal(m.tokens, 20);  // (20 + 20) / 2
  assert.ok(Math.abs(m.p50 - 55) < 1e-9);  // ms
  assert.equal(m.ovh50, 0.5);
});

test('toCsv quotes as RFC 4180 says, with CRLF line ends', () => {
  assert.equal(toCsv([['a', 'b,c', 'say "hi"', 'two\nlines', null, 3]]),
    'a,"b,c","say ""hi""","two\nlines",,3\r\n');
  // Text a spreadsheet would run as a formula is defused; numbers stay numbers.
  assert.equal(toCsv([['=1+2', '+x', '-y', '@SUM(A1)', '\tz', -3, 'a=b']]),
    "'=1+2,'+x,'-y,'@SUM(A1),'\tz,-3,a=b\r\n");
});

test('readSse yields each data event as JSON, split anywhere, and stops at [DONE]', async () => {
  const parts = ['data: {"a":', '1}\n\nda', 'ta: {"b":2}\r\n\r\n: comment\n\ndata: [DONE]\n\ndata: {"c":3}\n\n'];
  const body = new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
      controller.close();
    },
  });
  const events = [];
  for await (const e of readSse({ body })) events.push(e);
  assert.deepEqual(events, [{ a: 1 }, { b: 2 }]);
});

test('error bodies become readable lines; a 429 names its retry time', () => {
  assert.deepEqual(problemLines(422, { detail: [{ loc: ['body', 'temperature'], msg: 'too high' },
    { loc: ['body', 'messages'], msg: 'Field required' }] }, ''),
  ['body.temperature: too high', 'body.messages: Field required']);
  assert.deepEqual(problemLines(422, { error: { message: 'body.a: x; body.b: y' } }, ''), ['body.a: x', 'body.b: y']);
  assert.deepEqual(problemLines(429, { error: 'Rate limit exceeded: 1 per 1 minute' }, ''),
    ['Rate limit exceeded: 1 per 1 minute']);
  assert.deepEqual(problemLines(502, null, 'Bad Gateway'), ['Bad Gateway']);
  const now = Date.UTC(2026, 0, 1, 17, 5, 0);
  const at = retryTime(new Headers({ 'Retry-After': '42' }), now);
  assert.equal(at.getTime(), now + 42_000);
  assert.equal(retryTime(new Headers({ 'X-RateLimit-Reset-Tokens': '60s' }), now).getTime(), now + 60_000);
  assert.match(rateLimitTitle(at, now), /^Rate limit reached — retry in 42 s \(at \d\d:\d\d:42\)$/);
});
