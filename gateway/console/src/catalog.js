// What the gateway offers this client: its endpoints and traffic routes, from the latest stats
// sample (the server already filters them to what the client key may use). The playground and
// the templates view list them; they are told when the list changes.

let entries = [];  // {name, kind: 'endpoint' | 'route', endpointType, provider, model}
const listeners = [];

export const onCatalogChange = (fn) => listeners.push(fn);
export const catalog = () => entries;
export const findEntry = (name) => entries.find((e) => e.name === name);

// 'llm/v1/chat' -> 'chat'
export const shortType = (endpointType) => String(endpointType ?? '').split('/').pop();

export function updateCatalog(sample) {
  const next = [
    ...(sample.endpoints ?? []).map((ep) => ({
      name: ep.name, kind: 'endpoint', endpointType: ep.endpoint_type, provider: ep.provider, model: ep.model,
    })),
    ...(sample.routes ?? []).map((r) => ({
      name: r.name, kind: 'route', endpointType: r.endpoint_type, provider: null, model: null,
    })),
  ];
  const signature = (list) => list.map((e) => `${e.kind}:${e.name}:${e.endpointType}`).join('\n');
  if (signature(next) === signature(entries)) return;
  entries = next;
  for (const fn of listeners) fn(entries);
}

export function clearCatalog() {
  updateCatalog({});
}
