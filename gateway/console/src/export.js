// CSV (RFC 4180) and JSON text for the exports.

// One CSV field: quoted when it holds a comma, a quote, CR or LF; quotes doubled.
export function csvField(value) {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// Rows (arrays of values) as CSV, CRLF line ends, with a final CRLF.
export const toCsv = (rows) => rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
