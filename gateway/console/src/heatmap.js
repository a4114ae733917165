// The embeddings result: the cosine-similarity matrix of the vectors, drawn as a heat map on a
// <canvas> (diverging colours: -1 blue, 0 white, +1 red) and given as a table for screen
// readers and copying.
import { h, setChildren } from './dom.js';

export function cosineMatrix(vectors) {
  const norms = vectors.map((v) => Math.hypot(...v));
  return vectors.map((a, i) => vectors.map((b, j) => {
    let dot = 0;
    for (let k = 0; k < a.length; k++) dot += a[k] * b[k];
    const n = norms[i] * norms[j];
    return n > 0 ? dot / n : 0;
  }));
}

const NEG = [33, 102, 172];   // -1
const MID = [247, 247, 247];  //  0
const POS = [178, 24, 43];    // +1

function colour(value) {
  const v = Math.max(-1, Math.min(1, value));
  const [from, to, t] = v < 0 ? [MID, NEG, -v] : [MID, POS, v];
  const c = from.map((x, i) => Math.round(x + (to[i] - x) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// Draws `matrix` (n x n) on `canvas`, rows and columns numbered from 1 as in the table.
export function drawHeatmap(canvas, matrix) {
  const n = matrix.length;
  const margin = 28;
  const cell = Math.max(14, Math.min(56, Math.floor(420 / Math.max(n, 1))));
  const size = margin + n * cell;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = size * ratio;
  canvas.height = size * ratio;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, size, size);
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = '#444';
    ctx.fillText(String(i + 1), margin + i * cell + cell / 2, margin / 2);
    ctx.fillText(String(i + 1), margin / 2, margin + i * cell + cell / 2);
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j];
      const x = margin + j * cell;
      const y = margin + i * cell;
      ctx.fillStyle = colour(v);
      ctx.fillRect(x, y, cell - 1, cell - 1);
      if (cell >= 36) {
        ctx.fillStyle = Math.abs(v) > 0.6 ? '#fff' : '#222';
        ctx.fillText(v.toFixed(2), x + cell / 2, y + cell / 2);
      }
    }
  }
}

// The same matrix as a table; the header names each input (shortened).
export function renderSimilarityTable(table, inputs, matrix) {
  const short = (s) => (s.length > 24 ? `${s.slice(0, 23)}…` : s);
  setChildren(table,
    h('caption', {}, 'Cosine similarity between the inputs'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'),
      inputs.map((s, i) => h('th', { scope: 'col', title: s }, `${i + 1}. ${short(s)}`)))),
    h('tbody', {}, matrix.map((row, i) => h('tr', {},
      h('th', { scope: 'row', title: inputs[i] }, `${i + 1}. ${short(inputs[i])}`),
      row.map((v) => h('td', { class: 'num' }, v.toFixed(3)))))));
}
