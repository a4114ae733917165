// Templates: a prompt with {{variables}}, a table of variable values (one row per test case),
// run against one to three chat or completions endpoints (non-streaming); the grid shows each
// output with its latency and tokens, and exports as CSV or JSON.
import { h, byId, setChildren, showError, clearError, fmt, uid, download } from './dom.js';
import { postJson } from './api.js';
import { shortType, onCatalogChange } from './catalog.js';
import { toCsv } from './export.js';

const MAX_ENDPOINTS = 3;
const CONCURRENCY = 4;

const el = {
  template: byId('tpl-template'),
  vars: byId('tpl-vars'),
  addRow: byId('tpl-add-row'),
  endpoints: byId('tpl-endpoints'),
  run: byId('tpl-run'),
  status: byId('tpl-status'),
  error: byId('tpl-error'),
  results: byId('tpl-results'),
  exportCsv: byId('tpl-export-csv'),
  exportJson: byId('tpl-export-json'),
  csv: byId('tpl-csv'),
};

let rows = [{ language: 'French', text: 'Good morning' }];  // the variable values, per row
let running = false;  // a run is in progress: Run stays disabled
let lastRun = null;  // {template, variables, endpoints, rows: [{values, results: {ep: cell}}]}
let lastCsv = '';    // its CSV (the preview textarea shows it with LF line ends, as textareas do)

// The variable names of a template, in order of first use.
export function templateVariables(template) {
  const names = [...template.matchAll(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g)].map((m) => m[1]);
  return [...new Set(names)];
}

// The template with every {{name}} replaced by its value ('' when missing).
export function fillTemplate(template, values) {
  return template.replace(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g, (_, name) => (Object.hasOwn(values, name) ? values[name] : ''));
}

export function initTemplates() {
  el.template.addEventListener('input', renderVariableTable);
  el.addRow.addEventListener('click', () => {
    rows.push({});
    renderVariableTable();
    el.vars.querySelector('tbody tr:last-child input')?.focus();
  });
  el.endpoints.addEventListener('change', limitEndpointChoice);
  el.run.addEventListener('click', run);
  el.exportCsv.addEventListener('click', () => download('template-results.csv', lastCsv, 'text/csv'));
  el.exportJson.addEventListener('click', () =>
    download('template-results.json', JSON.stringify(lastRun, null, 2), 'application/json'));
  onCatalogChange(renderEndpointChoices);
  renderVariableTable();
}

function renderVariableTable() {
  const variables = templateVariables(el.template.value);
  const head = h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'),
    variables.map((v) => h('th', { scope: 'col' }, v)),
    h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Remove'))));
  const body = h('tbody', {}, rows.map((values, r) => h('tr', {},
    h('th', { scope: 'row' }, String(r + 1)),
    variables.map((v) => {
      const id = uid('var');
      return h('td', {},
        h('label', { for: id, class: 'visually-hidden' }, `${v}, row ${r + 1}`),
        h('input', { id, type: 'text', value: Object.hasOwn(values, v) ? values[v] : '', 'data-var': v,
          oninput: (event) => { values[v] = event.target.value; } }));
    }),
    h('td', {}, h('button', { type: 'button', class: 'small remove', 'aria-label': `Remove row ${r + 1}`,
      disabled: rows.length === 1,
      onclick: () => { rows.splice(r, 1); renderVariableTable(); } }, 'Remove')))));
  setChildren(el.vars, head, body);
}

// Checkboxes for the chat and completions endpoints and routes (kept checked across updates).
function renderEndpointChoices(entries) {
  const checked = new Set(selectedEndpoints());
  const usable = entries.filter((e) => ['chat', 'completions'].includes(shortType(e.endpointType)));
  if (!checked.size && usable.length) checked.add(usable[0].name);
  setChildren(el.endpoints, h('legend', {}, `Endpoints (1 to ${MAX_ENDPOINTS})`),
    usable.length ? usable.map((e) => {
      const id = uid('tpl-ep');
      return h('div', { class: 'check' },
        h('input', { id, type: 'checkbox', value: e.name, 'data-type': shortType(e.endpointType),
          checked: checked.has(e.name) }),
        h('label', { for: id }, `${e.name} `, h('span', { class: 'muted' }, shortType(e.endpointType))));
    }) : h('p', { class: 'muted' }, 'No chat or completions endpoint available.'));
  limitEndpointChoice();
}

function selectedEndpoints() {
  return [...el.endpoints.querySelectorAll('input:checked')].map((i) => i.value);
}

// At most three endpoints: the other boxes are disabled once three are checked.
function limitEndpointChoice() {
  const full = selectedEndpoints().length >= MAX_ENDPOINTS;
  for (const box of el.endpoints.querySelectorAll('input')) box.disabled = full && !box.checked;
  el.run.disabled = running || selectedEndpoints().length === 0;
}

// One cell: POST the filled template, non-streaming; {output, latency_ms, tokens_in, tokens_out, error}.
async function runCell(endpoint, type, text) {
  const started = performance.now();
  try {
    const response = type === 'chat'
      ? await postJson('../v1/chat/completions', { model: endpoint, messages: [{ role: 'user', content: text }] })
      : await postJson('../v1/completions', { model: endpoint, prompt: text });
    const body = await response.json();
    const choice = body.choices?.[0];
    return {
      output: (type === 'chat' ? choice?.message?.content : choice?.text) ?? '',
      latency_ms: Math.round(performance.now() - started),
      tokens_in: body.usage?.prompt_tokens ?? null,
      tokens_out: body.usage?.completion_tokens ?? null,
      error: null,
    };
  } catch (error) {
    return { output: '', latency_ms: Math.round(performance.now() - started), tokens_in: null, tokens_out: null,
      error: [error.title ?? String(error.message ?? error), ...(error.lines ?? [])].join(': ') };
  }
}

// Runs `tasks` (functions returning promises) at most `limit` at a time.
async function pool(tasks, limit) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

async function run() {
  const template = el.template.value;
  const variables = templateVariables(template);
  const endpoints = [...el.endpoints.querySelectorAll('input:checked')]
    .map((box) => ({ name: box.value, type: box.dataset.type }));
  clearError(el.error);
  if (!endpoints.length) return;
  const runRows = rows.map((values) => ({
    values: Object.fromEntries(variables.map((v) => [v, Object.hasOwn(values, v) ? values[v] : ''])), results: {},
  }));
  lastRun = { template, variables, endpoints: endpoints.map((e) => e.name), rows: runRows };
  renderResults();
  running = true;
  el.run.disabled = true;
  el.status.textContent = 'Running…';
  const tasks = runRows.flatMap((row) => endpoints.map((ep) => async () => {
    row.results[ep.name] = await runCell(ep.name, ep.type, fillTemplate(template, row.values));
    renderResults();
  }));
  try {
    await pool(tasks, CONCURRENCY);
  } finally {
    running = false;
  }
  el.status.textContent = `Done: ${tasks.length} calls`;
  el.run.disabled = selectedEndpoints().length === 0;
  el.exportCsv.disabled = false;
  el.exportJson.disabled = false;
  lastCsv = resultsCsv(lastRun);
  el.csv.value = lastCsv;
}

function cellContent(result) {
  if (!result) return h('span', { class: 'muted' }, 'running…');
  const meta = `${fmt(result.latency_ms)} ms · ${fmt(result.tokens_in)} in / ${fmt(result.tokens_out)} out`;
  return [
    result.error ? h('div', { class: 'error-text' }, result.error) : h('div', { class: 'output' }, result.output),
    h('div', { class: 'meta' }, meta),
  ];
}

function renderResults() {
  const { variables, endpoints, rows: runRows } = lastRun;
  setChildren(el.results,
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'),
      h('th', { scope: 'col' }, variables.length ? 'Variables' : 'Prompt'),
      endpoints.map((name) => h('th', { scope: 'col', 'data-endpoint': name }, name)))),
    h('tbody', {}, runRows.map((row, r) => h('tr', {},
      h('th', { scope: 'row' }, String(r + 1)),
      h('td', { class: 'vars' }, variables.map((v) => h('div', {}, h('b', {}, `${v}: `), row.values[v]))),
      endpoints.map((name) => h('td', { class: 'cell', 'data-endpoint': name },
        cellContent(row.results[name])))))));
}

// One CSV line per row and endpoint: row, the variables, endpoint, output, latency_ms,
// tokens_in, tokens_out, error.
export function resultsCsv(result) {
  const header = ['row', ...result.variables, 'endpoint', 'output', 'latency_ms', 'tokens_in', 'tokens_out', 'error'];
  const lines = result.rows.flatMap((row, r) => result.endpoints.map((ep) => {
    const c = row.results[ep] ?? {};
    return [r + 1, ...result.variables.map((v) => row.values[v]), ep,
      c.output, c.latency_ms, c.tokens_in, c.tokens_out, c.error];
  }));
  return toCsv([header, ...lines]);
}
