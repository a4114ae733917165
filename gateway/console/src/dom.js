// Small DOM helpers. Everything the console shows is built with createElement and textContent:
// no HTML string is ever parsed, so model output and server text can never become markup.

// h('td', {class: 'num', title: 'x'}, 'text', childNode, ...): an element with attributes and
// children. Strings become text nodes; null/undefined/false children are skipped. Attributes
// whose value is null/undefined/false are left out; `true` sets an empty attribute.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

// Replaces every child of `el`.
export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export const byId = (id) => document.getElementById(id);

// A number with at most `digits` decimals, or an em dash for a missing value.
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

// Sets `el`'s text only when it changes, so a live region (role=status) rewritten by every
// poll is not announced again with the same words.
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// Shows an ApiError (api.js) in `el`: a title, the problems one per line, and the status line.
// Any other error (a dropped connection, a malformed event) shows its message.
export function showError(el, error) {
  const lines = error.lines ?? (error.title ? [] : [String(error.message ?? error)]);
  const parts = [h('strong', {}, error.title ?? 'Error')];
  if (lines.length) parts.push(h('ul', {}, lines.map((line) => h('li', {}, line))));
  if (error.meta) parts.push(h('div', { class: 'meta' }, error.meta));
  setChildren(el, parts);
  el.hidden = false;
}

export function clearError(el) {
  el.replaceChildren();
  el.hidden = true;
}

// A unique id for generated controls that need <label for>.
let nextId = 0;
export const uid = (prefix) => `${prefix}-${++nextId}`;

// Saves `text` as a file through a temporary <a download> (no server round trip).
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
