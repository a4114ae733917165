// Code snippets for the playground's current request: curl, the OpenAI SDKs (Python, JS) and
// MLflow's deployments client. With client keys on they read the key from $GATEWAY_KEY: the
// real key is never written into a snippet.
import { h, byId, setChildren } from './dom.js';
import { gatewayBase, keysOn } from './api.js';
import { currentRequest } from './playground.js';

const container = byId('snippets');
const note = byId('snippets-note');

// A shell word in single quotes.
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

// A JSON value as a Python literal (True/False/None; json.dumps-compatible strings).
export function pyLiteral(value, indent = '') {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return `[\n${value.map((v) => inner + pyLiteral(v, inner)).join(',\n')},\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pyLiteral(v, inner)}`).join(',\n')},\n${indent}}`;
}

// The SDK method per request type (the same path in Python and JavaScript).
const METHODS = { chat: 'chat.completions.create', completions: 'completions.create', embeddings: 'embeddings.create' };

function curlSnippet({ path, body }, base, keys) {
  const lines = [`curl ${body.stream ? '-N ' : ''}${shellQuote(`${base}/${path}`)}`];
  if (keys) lines.push('-H "Authorization: Bearer $GATEWAY_KEY"');
  lines.push("-H 'Content-Type: application/json'", `-d ${shellQuote(JSON.stringify(body, null, 2))}`);
  return lines.join(' \\\n  ');
}

function pythonSnippet({ type, body }, base, keys) {
  const args = Object.entries(body).map(([k, v]) => `    ${k}=${pyLiteral(v, '    ')},`).join('\n');
  const key = keys ? 'os.environ["GATEWAY_KEY"]' : '"unused"';
  const comment = keys ? '' : '# The gateway asks for no key (the SDK wants one all the same).\n';
  const call = `client.${METHODS[type]}(\n${args}\n)`;
  const out = type === 'embeddings'
    ? `result = ${call}\nfor item in result.data:\n    print(len(item.embedding), item.embedding[:4])`
    : `stream = ${call}\nfor chunk in stream:\n    if chunk.choices:\n        print(chunk.choices[0].${
      type === 'chat' ? 'delta.content or ""' : 'text or ""'}, end="", flush=True)\nprint()`;
  return `${keys ? 'import os\n' : ''}from openai import OpenAI\n\n${comment}client = OpenAI(base_url=${JSON.stringify(`${base}/v1`)}, api_key=${key})\n${out}\n`;
}

function jsSnippet({ type, body }, base, keys) {
  const key = keys ? 'process.env.GATEWAY_KEY' : "'unused'";
  const comment = keys ? '' : '// The gateway asks for no key (the SDK wants one all the same).\n';
  const args = JSON.stringify(body, null, 2);
  const call = `await client.${METHODS[type]}(${args})`;
  const out = type === 'embeddings'
    ? `const result = ${call};\nfor (const item of result.data) console.log(item.embedding.length, item.embedding.slice(0, 4));`
    : `const stream = ${call};\nfor await (const chunk of stream) {\n  process.stdout.write(chunk.choices[0]?.${
      type === 'chat' ? 'delta?.content' : 'text'} ?? '');\n}\nprocess.stdout.write('\\n');`;
  return `import OpenAI from 'openai';\n\n${comment}const client = new OpenAI({ baseURL: ${JSON.stringify(`${base}/v1`)}, apiKey: ${key} });\n${out}\n`;
}

function mlflowSnippet({ body }, base, keys) {
  const { model, stream, stream_options: _, ...inputs } = body;
  const auth = keys
    ? '# MLflow sends $MLFLOW_TRACKING_TOKEN as "Authorization: Bearer <token>":\n# export MLFLOW_TRACKING_TOKEN="$GATEWAY_KEY"\n'
    : '';
  return `${auth}from mlflow.deployments import get_deploy_client\n\nclient = get_deploy_client(${JSON.stringify(base)})\n` +
    `response = client.predict(\n    endpoint=${JSON.stringify(model)},\n    inputs=${pyLiteral(inputs, '    ')},\n)\nprint(response)\n`;
}

const KINDS = [
  ['curl', 'curl', curlSnippet],
  ['python', 'OpenAI SDK (Python)', pythonSnippet],
  ['js', 'OpenAI SDK (JavaScript)', jsSnippet],
  ['mlflow', 'MLflow deployments client (Python)', mlflowSnippet],
];

async function copy(code, button) {
  const text = code.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    // No clipboard access (e.g. plain HTTP on another host): select the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents(code);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
}

export function renderSnippets() {
  const request = currentRequest();
  if (!request) {
    note.textContent = 'Choose an endpoint in the Playground first.';
    container.replaceChildren();
    return;
  }
  const base = gatewayBase();
  const keys = keysOn();
  note.textContent = `The Playground's current request to '${request.body.model}' (${request.type}).` +
    (keys ? ' Set GATEWAY_KEY to your client key first.' : '');
  setChildren(container, KINDS.map(([id, title, make]) => {
    const code = h('code', { id: `snippet-${id}` }, make(request, base, keys));
    const button = h('button', { type: 'button', class: 'small', 'aria-label': `Copy the ${title} snippet` }, 'Copy');
    button.addEventListener('click', () => copy(code, button));
    return h('section', { class: 'snippet', 'aria-label': title },
      h('div', { class: 'snippet-head' }, h('h3', {}, title), button), h('pre', { tabindex: '0' }, code));
  }));
}
