import { visibleLength } from '../core/colour.js';

/** Prints rows as left-aligned columns, like `docker ps`; coloured cells align by their visible width. */
export function printTable(header: string[], rows: string[][], write: (line: string) => void = console.log): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (cell: string, width: number) => cell + ' '.repeat(width - visibleLength(cell));
  for (const row of [header, ...rows]) write(row.map((cell, i) => pad(cell, widths[i]!)).join('  ').trimEnd());
}
