// Figures derived from two consecutive GET /api/2.0/gateway/stats samples. The counters in a
// sample are cumulative since the gateway started; a rate or a quantile over the last interval
// comes from their difference. A counter that went down (a restart) gives no figure (null).

// The q-quantile (0..1) of a histogram given per-bucket counts (not cumulative) and the
// buckets' upper bounds; the last count is the +Inf bucket. Linear interpolation inside the
// bucket that holds the rank (from 0 for the first bucket); a rank in the +Inf bucket gives the
// largest finite bound, as Prometheus' histogram_quantile does. null when the histogram is empty.
export function quantile(counts, bounds, q) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (count > 0 && below + count >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + ((bounds[i] - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return bounds[bounds.length - 1] ?? null;
}

// Per-bucket differences of two histograms {counts: [...]}, or null (missing, or reset).
export function histogramDelta(prev, cur) {
  if (!prev?.counts || !cur?.counts || prev.counts.length !== cur.counts.length) return null;
  const delta = cur.counts.map((c, i) => c - prev.counts[i]);
  return delta.some((d) => d < 0) ? null : delta;
}

const sum = (obj, keys) => keys.reduce((a, k) => a + (obj?.[k] ?? 0), 0);
const ALL = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const ERRORS = ['4xx', '5xx'];

// The metrics the dashboard charts, in chart order: id, title, unit.
export const METRICS = [
  { id: 'rate', title: 'Requests', unit: 'req/s' },
  { id: 'errors', title: 'Errors (4xx + 5xx)', unit: 'errors/s' },
  { id: 'tokens', title: 'Tokens (in + out)', unit: 'tokens/s' },
  { id: 'p50', title: 'Latency p50', unit: 'ms' },
  { id: 'p99', title: 'Latency p99', unit: 'ms' },
  { id: 'ovh50', title: 'Gateway overhead p50', unit: 'ms' },
  { id: 'ovh99', title: 'Gateway overhead p99', unit: 'ms' },
  { id: 'ttft50', title: 'Time to first token p50', unit: 'ms' },
];

// The metrics of one endpoint between two samples ({...} keyed by METRICS ids; null = none).
export function endpointMetrics(prevEp, curEp, dt, buckets) {
  const m = Object.fromEntries(METRICS.map(({ id }) => [id, null]));
  if (!prevEp || !(dt > 0)) return m;
  const counted = (a, b) => (b >= a ? (b - a) / dt : null);
  m.rate = counted(sum(prevEp.requests, ALL), sum(curEp.requests, ALL));
  m.errors = counted(sum(prevEp.requests, ERRORS), sum(curEp.requests, ERRORS));
  m.tokens = counted((prevEp.tokens_in ?? 0) + (prevEp.tokens_out ?? 0),
    (curEp.tokens_in ?? 0) + (curEp.tokens_out ?? 0));
  const ms = (hist, bounds, q) => {
    const delta = histogramDelta(prevEp[hist], curEp[hist]);
    const v = delta && bounds ? quantile(delta, bounds, q) : null;
    return v === null ? null : v * 1000;
  };
  m.p50 = ms('latency', buckets?.seconds, 0.5);
  m.p99 = ms('latency', buckets?.seconds, 0.99);
  m.ovh50 = ms('overhead', buckets?.overhead, 0.5);
  m.ovh99 = ms('overhead', buckets?.overhead, 0.99);
  m.ttft50 = ms('ttft', buckets?.seconds, 0.5);
  return m;
}

// {time, byEndpoint: Map(name -> metrics)} for the interval that ends with sample `cur`.
export function intervalMetrics(prev, cur) {
  const dt = cur.now - prev.now;
  const before = new Map(prev.endpoints.map((ep) => [ep.name, ep]));
  const byEndpoint = new Map(cur.endpoints.map((ep) =>
    [ep.name, endpointMetrics(before.get(ep.name), ep, dt, cur.buckets)]));
  return { time: cur.now, byEndpoint };
}

// Total requests answered by all endpoints of a sample (every status class).
export const totalRequests = (sample) =>
  sample.endpoints.reduce((a, ep) => a + sum(ep.requests, ALL), 0);
