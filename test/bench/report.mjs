// Compact text tables for `npm run bench`.

/** Fixed-point text of a number, or '—' for none. */
export function fmt(value, digits = 0) {
  return value === undefined || value === null || Number.isNaN(value) ? '—' : Number(value).toFixed(digits);
}

/**
 * Prints a table: a title line, a header and one line per row; the first column left-aligned, the others right-
 * aligned, each as wide as its widest cell.
 */
export function printTable(title, header, rows) {
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(cells[0]));
  for (const row of cells.slice(1)) console.log(line(row));
}
