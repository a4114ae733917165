// The Endpoints view: every endpoint and traffic route of the latest stats sample, with its
// limits and current usage, filtered by the search box and the type select. Rows are keyed by
// name and updated in place every poll, so focus and scrolling survive the refresh.
import { h, byId, setChildren, fmt, setText } from './dom.js';
import { shortType } from './catalog.js';

const search = byId('ep-search');
const typeFilter = byId('ep-type');
const endpointBody = byId('ep-table').tBodies[0];
const routeBody = byId('route-table').tBodies[0];
const count = byId('ep-count');

let onTry = () => {};
let last = null;

export function initEndpoints({ tryEndpoint }) {
  onTry = tryEndpoint;
  search.addEventListener('input', applyFilter);
  typeFilter.addEventListener('change', applyFilter);
}

const PERIOD = { second: 's', minute: 'min', hour: 'h', day: 'day' };

function limitText(limit) {
  if (!limit) return '—';
  return `${fmt(limit.calls)} / ${limit.renewal_period}`;
}

function usageCell(ep) {
  const u = ep.limit_usage;
  if (!ep.limit) return '—';
  if (!u) return 'unknown';
  const calls = ep.limit.calls;
  return [
    h('meter', { min: 0, max: calls, value: u.used, 'aria-label': `${ep.name} rate-limit usage` }),
    ` ${fmt(u.used)} / ${fmt(calls)}`,
    u.resets_in !== null && u.resets_in !== undefined
      ? h('span', { class: 'muted' }, ` · resets in ${Math.ceil(u.resets_in)} s`) : null,
  ];
}

function breakerCell(state) {
  if (!state) return h('span', { class: 'muted' }, 'none');
  return h('span', { class: `badge breaker-${state}` }, state.replace('_', '-'));
}

function tokensBudgetText(ep) {
  const parts = [];
  for (const [key, value] of Object.entries(ep.tokens ?? {})) {
    const unit = PERIOD[key.replace('per_', '')] ?? key;
    parts.push(`${fmt(value)} tokens/${unit}`);
  }
  const b = ep.budget;
  if (b) parts.push(`$${b.usd} / ${b.period}${b.on_exceed ? ` (${b.on_exceed})` : ''}`);
  return parts.length ? parts.join(' · ') : '—';
}

function requestsText(ep) {
  const r = ep.requests ?? {};
  const total = Object.values(r).reduce((a, b) => a + b, 0);
  const errors = (r['4xx'] ?? 0) + (r['5xx'] ?? 0);
  return errors ? `${fmt(total)} (${fmt(errors)} errors)` : fmt(total);
}

function tryButton(name) {
  return h('button', { type: 'button', class: 'small', 'aria-label': `Try ${name} in the playground`,
    onclick: () => onTry(name) }, 'Try');
}

const endpointCells = (ep) => [
  h('span', { class: 'name' }, ep.name), shortType(ep.endpoint_type), ep.provider ?? '—', ep.model ?? '—',
  limitText(ep.limit), usageCell(ep), breakerCell(ep.breaker), tokensBudgetText(ep), requestsText(ep),
];

const routeCells = (route) => [
  h('span', { class: 'name' }, route.name), shortType(route.endpoint_type),
  h('ul', { class: 'destinations' }, (route.destinations ?? []).map((d) => h('li', {},
    h('meter', { min: 0, max: 100, value: d.weight, 'aria-label': `${d.name} weight` }),
    ` ${d.name} `, h('span', { class: 'muted' }, `${d.weight} %`)))),
];

// Puts one row per item in `body`: rebuilt when the names change, else updated cell by cell
// (the last cell, with the Try button, is left alone).
function renderRows(body, items, cells) {
  const names = items.map((item) => item.name).join('\n');
  if (body.dataset.names !== names) {
    body.dataset.names = names;
    setChildren(body, items.map((item) =>
      h('tr', { 'data-name': item.name, 'data-type': item.endpoint_type },
        cells(item).map((c) => h('td', {}, c)), h('td', {}, tryButton(item.name)))));
    return;
  }
  items.forEach((item, i) => {
    cells(item).forEach((c, j) => setChildren(body.rows[i].cells[j], c));
  });
}

export function renderEndpoints(sample) {
  last = sample;
  renderRows(endpointBody, sample.endpoints ?? [], endpointCells);
  renderRows(routeBody, sample.routes ?? [], routeCells);
  applyFilter();
}

// Text a search matches, per row: name, provider and model; a route's destinations.
function haystack(item) {
  return [item.name, item.provider, item.model, ...(item.destinations ?? []).map((d) => d.name)]
    .filter(Boolean).join(' ').toLowerCase();
}

function applyFilter() {
  if (!last) return;
  const query = search.value.trim().toLowerCase();
  const type = typeFilter.value;
  let shown = 0;
  let total = 0;
  for (const [body, items] of [[endpointBody, last.endpoints ?? []], [routeBody, last.routes ?? []]]) {
    items.forEach((item, i) => {
      const visible = (!type || item.endpoint_type === type) && (!query || haystack(item).includes(query));
      body.rows[i].hidden = !visible;
      total += 1;
      shown += visible ? 1 : 0;
    });
  }
  setText(count, shown === total ? `${total} shown` : `${shown} of ${total} shown`);
  byId('route-section').hidden = !(last.routes ?? []).length;
}
