// The dashboard's charts (loaded by dashboard.js the first time the tab is shown): one uPlot
// time series per metric, one series per endpoint, over the last five minutes; configuration
// reloads are vertical lines (green: applied, red: refused).
import uPlot from 'uplot';
import { h, fmt } from './dom.js';
import { METRICS } from './stats.js';

const WINDOW_S = 300;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

let host = null;      // the charts' container
let last = null;      // the latest sample
let points = [];      // dashboard.js's intervals, oldest first
let names = [];       // the endpoints the charts have series for
let charts = [];      // one uPlot per METRICS entry

// Draws (or updates) the charts in `container` for the latest sample and the intervals.
export function drawCharts(container, latest, intervals) {
  host = container;
  last = latest;
  points = intervals;
  const current = last.endpoints.map((ep) => ep.name);
  if (current.join('\n') !== names.join('\n') || !charts.length) {
    names = current;
    host.replaceChildren();
    makeCharts();
    return;
  }
  const width = chartWidth();
  charts.forEach((chart, i) => {
    if (chart.width !== width) chart.setSize({ width, height: 190 });
    chart.setData(chartData(METRICS[i].id));
  });
}

// Vertical lines at the reload times (uPlot draw hook).
function drawReloads(u) {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.lineWidth = 2 * uPlot.pxRatio;
  ctx.setLineDash([6 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
  for (const reload of last?.reloads ?? []) {
    const x = Math.round(u.valToPos(reload.time, 'x', true));
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    ctx.strokeStyle = reload.ok ? '#2ca02c' : '#d62728';
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

// Two charts a row on a wide screen; 16 px: the gap, and the figure's padding and border.
const chartWidth = () => {
  const columns = host.clientWidth > 900 ? 2 : 1;
  return Math.max(260, Math.floor((host.clientWidth - 16 * (columns - 1)) / columns) - 16);
};

function makeCharts() {
  for (const chart of charts) chart.destroy();
  const width = chartWidth();
  charts = METRICS.map((metric) => {
    const box = h('figure', { class: 'chart', 'data-metric': metric.id });
    return new uPlot({
      title: `${metric.title} (${metric.unit})`,
      width,
      height: 190,
      scales: {
        x: { time: true, range: () => [last.now - WINDOW_S, last.now] },
        // From 0, and never empty (an all-null series still gets its axes and grid).
        y: { range: (u, min, max) => [0, Math.max(Number.isFinite(max) ? max : 0, metric.unit === 'ms' ? 1 : 0.1)] },
      },
      series: [{}, ...names.map((name, i) => ({
        label: name, stroke: COLOURS[i % COLOURS.length], width: 2,
        // Quantiles exist only for intervals with requests: dots, so a lone one shows.
        points: metric.unit === 'ms' ? { show: true, size: 5, fill: COLOURS[i % COLOURS.length] } : { size: 4 },
        value: (u, v) => (v === null || v === undefined ? '—' : `${fmt(v, 2)} ${metric.unit}`),
      }))],
      axes: [{}, { size: 56 }],
      hooks: { draw: [drawReloads] },
    }, chartData(metric.id), host.appendChild(box));
  });
}

function chartData(metricId) {
  return [points.map((p) => p.time),
    ...names.map((name) => points.map((p) => p.byEndpoint.get(name)?.[metricId] ?? null))];
}
