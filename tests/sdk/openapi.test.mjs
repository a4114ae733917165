// GET /openapi.json from the built gateway (on the example config), checked by a real OpenAPI
// 3.1 validator (@seriousme/openapi-schema-validator, pinned in package-lock.json) and against
// what the same gateway serves: the documented routes answer, and the documented request
// examples are accepted.
//
// Run: GW_DEPLOYMENTS_BIN=build/deployments node --test tests/sdk/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startGateway, exampleConfig } from './gateway_process.mjs';

let gateway;
let response;
let doc;

before(async () => {
  gateway = await startGateway(exampleConfig);
  response = await fetch(`${gateway.url}/openapi.json`);
  doc = await response.json();
});

after(async () => {
  if (gateway) assert.equal(await gateway.stop(), 0);
});

// Every operation as [path, method, operation].
function operations() {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [path, method, op]));
}

test('GET /openapi.json answers an OpenAPI 3.1.0 document as JSON', () => {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.title, 'LLM Gateway');
});

test('the validator reports the document valid', async () => {
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, '3.1');
});

test('every $ref points into the document', () => {
  const broken = [];
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key !== '$ref') {
        walk(value);
        continue;
      }
      const target = value.slice(2).split('/').reduce((at, part) => at?.[part], doc);
      if (!value.startsWith('#/') || target === undefined) broken.push(value);
    }
  };
  walk(doc);
  assert.deepEqual(broken, []);
});

test('it lists the OpenAI-compatible, MLflow and documentation routes', () => {
  const expected = [
    ['/v1/chat/completions', 'post'], ['/v1/completions', 'post'], ['/v1/embeddings', 'post'],
    ['/v1/models', 'get'], ['/v1/models/{name}', 'get'],
    ['/endpoints/{name}/invocations', 'post'], ['/gateway/{name}/invocations', 'post'],
    ['/api/2.0/endpoints/', 'get'], ['/api/2.0/endpoints/{name}', 'get'],
    ['/api/3.0/gateway/route/{name}', 'get'], ['/api/2.0/endpoints/limits/', 'post'],
    ['/health', 'get'], ['/metrics', 'get'], ['/', 'get'], ['/docs', 'get'], ['/redoc', 'get'],
    ['/openapi.json', 'get'], ['/favicon.ico', 'get'],
    ['/static/swagger-ui/{name}', 'get'], ['/static/redoc/{name}', 'get'],
  ];
  for (const [path, method] of expected) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  for (const [path, method] of operations()) assert.notEqual(method, 'head', path);
  const ids = operations().map(([, , op]) => op.operationId);
  assert.equal(new Set(ids).size, ids.length, `operationIds repeat: ${ids}`);
});

test('every documented GET route without a parameter answers', async () => {
  for (const [path, method, op] of operations()) {
    if (method !== 'get' || path.includes('{') || path === '/metrics') continue;
    const r = await fetch(gateway.url + path, { redirect: 'manual' });
    await r.arrayBuffer();
    const documented = Object.keys(op.responses).filter((s) => /^[23]/.test(s));
    assert.ok(documented.includes(String(r.status)), `GET ${path}: ${r.status}, documented ${documented}`);
  }
});

test('every documented static file is served with a long cache lifetime', async () => {
  for (const path of ['/static/swagger-ui/{name}', '/static/redoc/{name}']) {
    const names = doc.paths[path].get.parameters[0].schema.enum;
    assert.ok(names.length > 0, path);
    for (const name of names) {
      const r = await fetch(gateway.url + path.replace('{name}', name));
      const body = await r.arrayBuffer();
      assert.equal(r.status, 200, name);
      assert.ok(body.byteLength > 1000, `${name}: ${body.byteLength} bytes`);
      assert.match(r.headers.get('content-type'), name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      assert.match(r.headers.get('cache-control'), /max-age=31536000/);
    }
  }
  const missing = await fetch(`${gateway.url}/static/redoc/nope.js`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { detail: 'Not Found' });
});

test('the documented request examples of the three endpoint types are accepted', async () => {
  const calls = [];
  for (const path of ['/v1/chat/completions', '/v1/completions', '/v1/embeddings']) {
    const media = doc.paths[path].post.requestBody.content['application/json'];
    const examples = media.examples ? Object.values(media.examples).map((e) => e.value) : [media.example];
    for (const body of examples) calls.push([path, body]);
  }
  // The MLflow route's examples name their endpoint of the example config by type.
  const invoke = doc.paths['/endpoints/{name}/invocations'].post.requestBody.content['application/json'];
  for (const [name, example] of Object.entries(invoke.examples))
    calls.push([`/endpoints/${name}/invocations`, example.value]);
  assert.ok(calls.length >= 6);
  for (const [path, body] of calls) {
    const r = await fetch(gateway.url + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const text = await r.text();
    assert.equal(r.status, 200, `${path} ${JSON.stringify(body)}: ${text}`);
  }
});
