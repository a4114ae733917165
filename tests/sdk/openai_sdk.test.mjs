// The official OpenAI Node SDK pointed at the gateway's /v1 routes: a chat and an embeddings
// call through the built-in mock provider and through the openai provider to a recording fake
// OpenAI upstream (a node http server on loopback), plus the SDK's view of a gateway error.
//
// Run: GW_DEPLOYMENTS_BIN=build/deployments node --test tests/sdk/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';

const bin = process.env.GW_DEPLOYMENTS_BIN ?? 'build/deployments';
let gateway;
let upstream;
let client;
const received = [];

function startUpstream() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(body) });
        res.setHeader('Content-Type', 'application/json');
        if (req.url === '/v1/chat/completions' && JSON.parse(body).stream) {
          res.setHeader('Content-Type', 'text/event-stream');
          const chunk = (delta, finish) => `data: ${JSON.stringify({
            id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini',
            choices: [{ index: 0, delta, finish_reason: finish }],
          })}\n\n`;
          res.write(chunk({ role: 'assistant', content: '' }, null));
          res.write(chunk({ content: 'streamed ' }, null));
          res.write(chunk({ content: 'reply' }, 'stop'));
          res.write(`data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } })}\n\n`);
          res.end('data: [DONE]\n\n');
        } else if (req.url === '/v1/chat/completions') {
          res.end(JSON.stringify({
            id: 'chatcmpl-up', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-mini',
            choices: [{ index: 0, message: { role: 'assistant', content: 'hi from upstream' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
          }));
        } else if (req.url === '/v1/embeddings') {
          const vector = [0.5, -0.25];
          const embedding = JSON.parse(body).encoding_format === 'base64'
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector;
          res.end(JSON.stringify({
            object: 'list', data: [{ object: 'embedding', embedding, index: 0 }],
            model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 },
          }));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { message: 'no such path' } }));
        }
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function startGateway(configPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['start-server', '--config-path', configPath, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve({ child, port: Number(m[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}: ${out}`)));
  });
}

before(async () => {
  upstream = await startUpstream();
  const base = `http://127.0.0.1:${upstream.address().port}/v1`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-sdk-'));
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, `endpoints:
  - name: mock-chat
    endpoint_type: llm/v1/chat
    model: {provider: mock, name: mock-model}
  - name: mock-embeddings
    endpoint_type: llm/v1/embeddings
    model: {provider: mock, config: {dimensions: 4}}
  - name: gpt
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config: {openai_api_key: sk-upstream-key, openai_api_base: "${base}"}
  - name: embed
    endpoint_type: llm/v1/embeddings
    model:
      provider: openai
      name: text-embedding-3-small
      config: {openai_api_key: sk-upstream-key, openai_api_base: "${base}"}
`);
  gateway = await startGateway(cfg);
  client = new OpenAI({ baseURL: `http://127.0.0.1:${gateway.port}/v1`, apiKey: 'client-key-unused', maxRetries: 0 });
});

after(async () => {
  if (gateway) {
    gateway.child.removeAllListeners('exit');
    const exited = new Promise((r) => gateway.child.on('exit', r));
    gateway.child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
  upstream?.close();
});

test('chat completion through the mock provider', async () => {
  const r = await client.chat.completions.create({
    model: 'mock-chat',
    messages: [{ role: 'user', content: 'Hello SDK' }],
  });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, 'mock-model');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, 'Mock response to: Hello SDK');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('embeddings through the mock provider', async () => {
  const r = await client.embeddings.create({ model: 'mock-embeddings', input: ['a', 'b'], encoding_format: 'float' });
  assert.equal(r.object, 'list');
  assert.equal(r.data.length, 2);
  assert.equal(r.data[1].index, 1);
  assert.equal(r.data[0].embedding.length, 4);
});

test('embeddings with the SDK default (base64) through the mock provider', async () => {
  const r = await client.embeddings.create({ model: 'mock-embeddings', input: 'a' });
  assert.equal(r.data[0].embedding.length, 4);
  const norm = Math.hypot(...r.data[0].embedding);
  assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  const floats = await client.embeddings.create({ model: 'mock-embeddings', input: 'a', encoding_format: 'float' });
  floats.data[0].embedding.forEach((x, i) => assert.ok(Math.abs(x - r.data[0].embedding[i]) < 1e-5));
});

test('chat and embeddings through the openai provider reach the upstream', async () => {
  const chat = await client.chat.completions.create({
    model: 'gpt',
    messages: [{ role: 'user', content: 'ping' }],
    temperature: 0.3,
  });
  assert.equal(chat.choices[0].message.content, 'hi from upstream');
  assert.equal(chat.id, 'chatcmpl-up');
  const sent = received.at(-1);
  assert.equal(sent.url, '/v1/chat/completions');
  assert.equal(sent.headers.authorization, 'Bearer sk-upstream-key');
  assert.deepEqual(sent.body, { model: 'gpt-4o-mini', temperature: 0.3, n: 1, messages: [{ role: 'user', content: 'ping' }] });

  const emb = await client.embeddings.create({ model: 'embed', input: 'hello', encoding_format: 'float' });
  assert.deepEqual(emb.data[0].embedding, [0.5, -0.25]);
  assert.equal(received.at(-1).url, '/v1/embeddings');
  assert.equal(received.at(-1).body.model, 'text-embedding-3-small');
  const b64 = await client.embeddings.create({ model: 'embed', input: 'hello' });
  assert.deepEqual(Array.from(b64.data[0].embedding), [0.5, -0.25]);
  assert.equal(received.at(-1).body.encoding_format, 'base64');
});

test('streaming chat through the mock and the openai provider', async () => {
  let text = '';
  const stream = await client.chat.completions.create({
    model: 'mock-chat', messages: [{ role: 'user', content: 'stream me' }], stream: true,
  });
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'Mock response to: stream me');

  let upstreamText = '';
  let usage = null;
  const s2 = await client.chat.completions.create({
    model: 'gpt', messages: [{ role: 'user', content: 'x' }], stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of s2) {
    upstreamText += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(upstreamText, 'streamed reply');
  assert.deepEqual(usage, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  assert.equal(received.at(-1).body.stream, true);
  assert.deepEqual(received.at(-1).body.stream_options, { include_usage: true });
});

test('gateway errors surface as SDK errors with status and message', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'does-not-exist', messages: [{ role: 'user', content: 'x' }] }),
    (err) => {
      assert.equal(err.status, 404);
      assert.equal(err.message, "404 The model 'does-not-exist' does not exist: no endpoint or route has that name.");
      assert.equal(err.code, 'model_not_found');
      return true;
    },
  );
});

test('models.list() lists every endpoint with its provider', async () => {
  const ids = [];
  const owners = {};
  for await (const m of client.models.list()) {
    ids.push(m.id);
    owners[m.id] = m.owned_by;
    assert.equal(m.object, 'model');
    assert.equal(typeof m.created, 'number');
  }
  assert.deepEqual(ids, ['mock-chat', 'mock-embeddings', 'gpt', 'embed']);
  assert.equal(owners['gpt'], 'openai');
  assert.equal(owners['mock-chat'], 'mock');
});

test('models.retrieve() finds an endpoint and 404s an unknown name', async () => {
  const m = await client.models.retrieve('gpt');
  assert.equal(m.id, 'gpt');
  assert.equal(m.owned_by, 'openai');
  await assert.rejects(client.models.retrieve('nope'), (err) => {
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    return true;
  });
});
