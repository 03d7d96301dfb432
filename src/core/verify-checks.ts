import type { RowCountDifference, TableCount } from './backup-record.js';

export interface CheckOutcome {
  reasons: string[];
  rowCountDifferences: RowCountDifference[];
}

/** The restored copy must hold the same tables with the same row counts as the manifest recorded. */
export function compareRowCounts(expected: TableCount[], actual: TableCount[]): CheckOutcome {
  const reasons: string[] = [];
  if (expected.length !== actual.length) reasons.push(`table count: manifest has ${expected.length}, restored copy has ${actual.length}`);
  const restored = new Map(actual.map((t) => [t.table, t.rows]));
  const rowCountDifferences: RowCountDifference[] = [];
  for (const { table, rows } of expected) {
    const found = restored.get(table);
    restored.delete(table);
    if (found !== rows) rowCountDifferences.push({ table, expected: rows, actual: found ?? null });
  }
  for (const [table, rows] of restored) rowCountDifferences.push({ table, expected: null, actual: rows });
  if (rowCountDifferences.length > 0) reasons.push(`row counts differ in ${rowCountDifferences.length} table(s): ${rowCountDifferences.map((d) => d.table).join(', ')}`);
  return { reasons, rowCountDifferences };
}

export interface AssertionSpec {
  name?: string | undefined;
  sql: string;
  min?: number | undefined;
  max?: number | undefined;
  equals?: number | undefined;
}

/** Why a configured assertion failed, or undefined when it holds. */
export function assertionFailure(assertion: AssertionSpec, value: number | null): string | undefined {
  const shortfall = assertionShortfall(assertion, value);
  return shortfall === undefined ? undefined : `assertion "${assertion.name ?? assertion.sql}": ${shortfall}`;
}

/** How the value misses the assertion ("got 3, expected >= 5"), or undefined when it holds. */
export function assertionShortfall(assertion: AssertionSpec, value: number | null): string | undefined {
  if (value === null || Number.isNaN(value)) return 'query returned no numeric value';
  if (assertion.equals !== undefined && value !== assertion.equals) return `got ${value}, expected = ${assertion.equals}`;
  if (assertion.min !== undefined && value < assertion.min) return `got ${value}, expected >= ${assertion.min}`;
  if (assertion.max !== undefined && value > assertion.max) return `got ${value}, expected <= ${assertion.max}`;
  return undefined;
}
