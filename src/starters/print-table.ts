/** Prints rows as left-aligned columns, like `docker ps`. */
export function printTable(header: string[], rows: string[][], write: (line: string) => void = console.log): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) write(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}
