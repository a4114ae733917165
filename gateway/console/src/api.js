// Every call to the gateway goes through apiFetch: relative URLs (the page is served at
// <base>/ui/, so '../v1/...' works behind a path prefix), the client key as
// `Authorization: Bearer <key>` when one is set, and non-2xx answers turned into ApiError with a
// readable title and problem list.
//
// The key lives in sessionStorage only: it is gone when the tab closes, is never written to
// localStorage, a URL or a snippet.

const KEY_ITEM = 'gateway-console-key';

export const apiEvents = new EventTarget();  // 'unauthorized', 'key-changed'

// Whether the gateway asked for a key (a 401 was seen, or a key is in use): the snippets then
// show the Authorization header.
let keysRequired = false;

export function getKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

export function setKey(key) {
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
  apiEvents.dispatchEvent(new Event('key-changed'));
}

// Drops a refused key without announcing a change (the dialog then asks for another one).
export function forgetKey() {
  sessionStorage.removeItem(KEY_ITEM);
}

export const keysOn = () => keysRequired || Boolean(getKey());

// The gateway's base URL (where /v1 and /api live) as an absolute URL without a trailing slash.
export function gatewayBase() {
  return new URL('..', location.href).href.replace(/\/$/, '');
}

export class ApiError extends Error {
  constructor({ status = 0, title, lines = [], meta = '', retryAt = null }) {
    super([title, ...lines].join('\n'));
    Object.assign(this, { status, title, lines, meta, retryAt });
  }
}

// fetch(path) with the key. Resolves to the Response when it is 2xx; otherwise throws an
// ApiError (a 401 also dispatches 'unauthorized', so the key dialog opens).
export async function apiFetch(path, options = {}) {
  const headers = new Headers(options.headers);
  const key = getKey();
  if (key) headers.set('Authorization', `Bearer ${key}`);
  let response;
  try {
    response = await fetch(path, { ...options, headers, cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError({ title: 'The gateway could not be reached', lines: [String(error.message ?? error)] });
  }
  if (response.ok) return response;
  const error = await errorFromResponse(response);
  if (response.status === 401) {
    keysRequired = true;
    apiEvents.dispatchEvent(new CustomEvent('unauthorized', { detail: { hadKey: Boolean(key) } }));
  }
  throw error;
}

export async function getJson(path, options) {
  return (await apiFetch(path, options)).json();
}

export async function postJson(path, body, options = {}) {
  return apiFetch(path, {
    ...options,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
  });
}

const TITLES = {
  401: 'A valid client key is required',
  403: 'This key may not use this endpoint',
  404: 'Not found',
  408: 'The request timed out',
  413: 'The request is too large',
  422: 'The request is invalid',
  500: 'Gateway error',
  501: 'Not supported',
  502: 'Upstream error (502 Bad Gateway)',
  503: 'Service unavailable (503)',
  504: 'Upstream timeout (504)',
};

// The problems in an error body, one readable line each. Handles FastAPI's
// {"detail": [{"loc", "msg"}]} lists, {"detail": "text" | object}, OpenAI's
// {"error": {"message", "type", "code"}} and MLflow's {"error": "text"}.
export function problemLines(status, body, text) {
  if (body && typeof body === 'object') {
    const { detail, error } = body;
    if (Array.isArray(detail)) {
      return detail.map((d) => {
        const loc = Array.isArray(d?.loc) ? d.loc.join('.') : '';
        const msg = d?.msg ?? JSON.stringify(d);
        return loc ? `${loc}: ${msg}` : msg;
      });
    }
    if (typeof detail === 'string') return [detail];
    if (detail !== undefined) return [JSON.stringify(detail)];
    if (typeof error === 'string') return [error];
    if (error && typeof error.message === 'string') {
      // The /v1 422 joins the pydantic problems with '; ' ("body.x: msg; body.y: msg").
      return status === 422 ? error.message.split(/; (?=body)/) : [error.message];
    }
  }
  const trimmed = text.trim();
  return trimmed ? [trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed] : [];
}

// When a 429 may be retried: Retry-After (seconds or an HTTP date), else the X-RateLimit-Reset
// headers (seconds; the token one is written "<n>s"). A Date, or null.
export function retryTime(headers, now = Date.now()) {
  const after = headers.get('Retry-After');
  if (after) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return new Date(now + seconds * 1000);
    const date = Date.parse(after);
    if (Number.isFinite(date)) return new Date(date);
  }
  for (const name of ['X-RateLimit-Reset', 'X-RateLimit-Reset-Tokens']) {
    const seconds = parseFloat(headers.get(name) ?? '');
    if (Number.isFinite(seconds)) return new Date(now + seconds * 1000);
  }
  return null;
}

export function rateLimitTitle(retryAt, now = Date.now()) {
  if (!retryAt) return 'Rate limit reached';
  const seconds = Math.max(0, Math.ceil((retryAt - now) / 1000));
  const clock = retryAt.toLocaleTimeString('en-GB', { hour12: false });
  return `Rate limit reached — retry in ${seconds} s (at ${clock})`;
}

export async function errorFromResponse(response) {
  const { status } = response;
  const text = await response.text().catch(() => '');
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text itself is shown
  }
  const lines = problemLines(status, body, text);
  const retryAt = status === 429 ? retryTime(response.headers) : null;
  const title = status === 429 ? rateLimitTitle(retryAt)
    : TITLES[status] ?? (status >= 500 ? `Server error (${status})` : `Request failed (${status})`);
  const kind = body?.error && typeof body.error === 'object'
    ? [body.error.type, body.error.code].filter(Boolean).join(', ') : '';
  const meta = `HTTP ${status}${kind ? ` · ${kind}` : ''}`;
  return new ApiError({ status, title, lines, meta, retryAt });
}

// An error event inside a stream that had started: {"error": {"message", "type", "code"}}.
export function streamError(payload) {
  const e = payload.error;
  const message = typeof e === 'string' ? e : e?.message ?? JSON.stringify(e);
  const kind = typeof e === 'object' ? [e.type, e.code].filter(Boolean).join(', ') : '';
  return new ApiError({ status: 200, title: 'The stream failed after it started', lines: [message], meta: kind });
}
