// CSV (RFC 4180) and JSON text for the exports.

// One CSV field: quoted when it holds a comma, a quote, CR or LF; quotes doubled. Text that a
// spreadsheet would read as a formula (=, +, -, @, tab or CR first: model output can be
// anything) gets a leading apostrophe, so that opening the file runs nothing.
export function csvField(value) {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Rows (arrays of values) as CSV, CRLF line ends, with a final CRLF.
export const toCsv = (rows) => rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
