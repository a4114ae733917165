// The Playground: a request to the selected endpoint or route through the OpenAI-compatible
// /v1 routes. Chat and completions stream (SSE read incrementally, each delta appended as
// text); embeddings show their dimensions and a cosine-similarity heat map.
import { h, byId, setChildren, showError, clearError, fmt, uid } from './dom.js';
import { postJson, streamError } from './api.js';
import { readSse } from './sse.js';
import { catalog, findEntry, shortType, onCatalogChange } from './catalog.js';
import { cosineMatrix, drawHeatmap, renderSimilarityTable } from './heatmap.js';

const el = {
  form: byId('pg-form'),
  endpoint: byId('pg-endpoint'),
  kind: byId('pg-kind'),
  panels: { chat: byId('pg-chat'), completions: byId('pg-completions'), embeddings: byId('pg-embeddings') },
  params: byId('pg-params'),
  system: byId('pg-system'),
  messages: byId('pg-messages'),
  addMessage: byId('pg-add-message'),
  prompt: byId('pg-prompt'),
  inputs: byId('pg-inputs'),
  temperature: byId('pg-temperature'),
  topP: byId('pg-top-p'),
  maxTokens: byId('pg-max-tokens'),
  stop: byId('pg-stop'),
  send: byId('pg-send'),
  cancel: byId('pg-cancel'),
  status: byId('pg-status'),
  error: byId('pg-error'),
  textResult: byId('pg-text-result'),
  answer: byId('pg-answer'),
  ttft: byId('pg-ttft'),
  total: byId('pg-total'),
  tokensIn: byId('pg-tokens-in'),
  tokensOut: byId('pg-tokens-out'),
  answeredBy: byId('pg-answered-by'),
  continue: byId('pg-continue'),
  embedResult: byId('pg-embed-result'),
  dims: byId('pg-dims'),
  heatmap: byId('pg-heatmap'),
  simTable: byId('pg-sim-table'),
};

const PATHS = { chat: 'v1/chat/completions', completions: 'v1/completions', embeddings: 'v1/embeddings' };

let controller = null;  // the AbortController of the request in flight
const changeListeners = [];

// Called whenever the request the form describes changes (the snippets follow it).
export const onRequestChange = (fn) => changeListeners.push(fn);
const changed = () => changeListeners.forEach((fn) => fn());

export function initPlayground() {
  addMessageRow('user', 'Hello! Who are you?');
  onCatalogChange(fillEndpointSelect);
  el.endpoint.addEventListener('change', showPanel);
  el.addMessage.addEventListener('click', () => addMessageRow('user', '').querySelector('textarea').focus());
  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  // Ctrl+Enter (Cmd+Enter) sends from any field.
  el.form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  });
  el.form.addEventListener('input', changed);
  el.cancel.addEventListener('click', () => controller?.abort());
  el.continue.addEventListener('click', continueConversation);
  showPanel();
}

// Selects `name` in the endpoint select (from the Endpoints view's Try buttons).
export function selectEndpoint(name) {
  el.endpoint.value = name;
  showPanel();
}

function fillEndpointSelect(entries) {
  const previous = el.endpoint.value;
  const groups = [['endpoint', 'Endpoints'], ['route', 'Traffic routes']].map(([kind, label]) => {
    const items = entries.filter((e) => e.kind === kind);
    return items.length ? h('optgroup', { label }, items.map((e) =>
      h('option', { value: e.name }, `${e.name} (${shortType(e.endpointType)})`))) : null;
  });
  setChildren(el.endpoint, groups);
  if (entries.some((e) => e.name === previous)) el.endpoint.value = previous;
  showPanel();
}

const selectedEntry = () => findEntry(el.endpoint.value) ?? null;
const selectedType = () => shortType(selectedEntry()?.endpointType);

function showPanel() {
  const entry = selectedEntry();
  const type = selectedType();
  for (const [name, panel] of Object.entries(el.panels)) panel.hidden = name !== type;
  el.params.hidden = !(type === 'chat' || type === 'completions');
  el.textResult.hidden = type === 'embeddings';
  el.embedResult.hidden = type !== 'embeddings';
  el.send.disabled = !entry || Boolean(controller);
  el.kind.textContent = entry
    ? [entry.kind === 'route' ? 'traffic route' : entry.provider, entry.model].filter(Boolean).join(' · ')
    : catalog().length ? '' : 'No endpoint available yet';
  changed();
}

function addMessageRow(role, content) {
  const roleId = uid('role');
  const contentId = uid('content');
  const row = h('li', { class: 'message' },
    h('div', { class: 'message-role' },
      h('label', { for: roleId }, 'Role'),
      h('select', { id: roleId, class: 'role' },
        ['user', 'assistant'].map((r) => h('option', { value: r, selected: r === role }, r)))),
    h('div', { class: 'message-content' },
      h('label', { for: contentId }, 'Content'),
      h('textarea', { id: contentId, class: 'content', rows: 2, value: content })),
    h('button', { type: 'button', class: 'small remove', 'aria-label': 'Remove this message',
      onclick: () => { row.remove(); changed(); } }, 'Remove'));
  el.messages.append(row);
  changed();
  return row;
}

// A number input's value, or undefined when empty (then not sent).
function numberField(input, parse = Number) {
  const text = input.value.trim();
  return text === '' ? undefined : parse(text);
}

function params() {
  const stop = el.stop.value.split(',').map((s) => s.trim()).filter(Boolean);
  const p = {
    temperature: numberField(el.temperature),
    top_p: numberField(el.topP),
    max_tokens: numberField(el.maxTokens, (s) => parseInt(s, 10)),
    stop: stop.length ? stop : undefined,
  };
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
}

function chatMessages() {
  const messages = [];
  const system = el.system.value.trim();
  if (system) messages.push({ role: 'system', content: system });
  for (const row of el.messages.children) {
    const content = row.querySelector('.content').value;
    if (content.trim()) messages.push({ role: row.querySelector('.role').value, content });
  }
  return messages;
}

const inputLines = () => el.inputs.value.split('\n').map((s) => s.trim()).filter(Boolean);

// The request the form describes: {type, path, body} (path relative to the gateway's base), or
// null without an endpoint. What Send posts, and what the snippets show.
export function currentRequest() {
  const entry = selectedEntry();
  if (!entry) return null;
  const type = selectedType();
  const model = entry.name;
  const stream = { stream: true, stream_options: { include_usage: true } };
  let body;
  if (type === 'chat') body = { model, messages: chatMessages(), ...params(), ...stream };
  else if (type === 'completions') body = { model, prompt: el.prompt.value, ...params(), ...stream };
  else if (type === 'embeddings') body = { model, input: inputLines() };
  else return null;
  return { type, path: PATHS[type], body };
}

function setBusy(busy) {
  el.send.disabled = busy || !selectedEntry();
  el.cancel.disabled = !busy;
  el.form.setAttribute('aria-busy', String(busy));
}

function resetResult() {
  clearError(el.error);
  el.answer.replaceChildren();
  for (const dd of [el.ttft, el.total, el.tokensIn, el.tokensOut, el.answeredBy, el.dims]) dd.textContent = '—';
  el.continue.disabled = true;
}

async function send() {
  const request = currentRequest();
  if (!request || controller) return;
  resetResult();
  controller = new AbortController();
  setBusy(true);
  el.status.textContent = 'Sending…';
  const started = performance.now();
  try {
    const response = await postJson(`../${request.path}`, request.body, { signal: controller.signal });
    el.answeredBy.textContent = response.headers.get('X-Gateway-Endpoint') ?? '—';
    if (request.type === 'embeddings') await showEmbeddings(response, request.body.input);
    else await streamText(response, request.type, started);
    el.total.textContent = `${fmt(performance.now() - started)} ms`;
    el.status.textContent = 'Done';
  } catch (error) {
    if (error.name === 'AbortError') {
      el.status.textContent = 'Stopped';
    } else {
      el.status.textContent = 'Failed';
      showError(el.error, error);
    }
  } finally {
    controller = null;
    setBusy(false);
  }
}

// Appends each streamed delta to the answer, as text.
async function streamText(response, type, started) {
  el.status.textContent = 'Streaming…';
  for await (const chunk of readSse(response)) {
    if (chunk.error) throw streamError(chunk);
    const choice = chunk.choices?.[0];
    const text = type === 'chat' ? choice?.delta?.content : choice?.text;
    if (text) {
      if (el.ttft.textContent === '—') el.ttft.textContent = `${fmt(performance.now() - started)} ms`;
      el.answer.append(text);
    }
    if (chunk.usage) {
      el.tokensIn.textContent = fmt(chunk.usage.prompt_tokens);
      el.tokensOut.textContent = fmt(chunk.usage.completion_tokens);
    }
  }
  el.continue.disabled = type !== 'chat' || !el.answer.textContent;
}

async function showEmbeddings(response, inputs) {
  const result = await response.json();
  const vectors = (result.data ?? []).sort((a, b) => a.index - b.index).map((d) => d.embedding);
  el.dims.textContent = vectors.length ? String(vectors[0].length) : '—';
  el.tokensIn.textContent = fmt(result.usage?.prompt_tokens);
  const matrix = cosineMatrix(vectors);
  drawHeatmap(el.heatmap, matrix);
  renderSimilarityTable(el.simTable, inputs, matrix);
}

// Appends the answer as an assistant message and an empty user message to type next.
function continueConversation() {
  addMessageRow('assistant', el.answer.textContent);
  addMessageRow('user', '').querySelector('textarea').focus();
  el.answer.replaceChildren();
  el.continue.disabled = true;
}
