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

/** What a check found, by counts alone. */
export interface CountedFindings {
  tableCount?: { manifest: number; restored: number };
  rowCountDifferences?: number;
  failedAssertions?: number;
  restoreFailed?: boolean;
  differingFiles?: number;
}

/**
 * The findings of a check of an encrypted backup as its plaintext records tell them: counts and
 * verdicts, never a table, file or assertion by name, nor a tool's message (which quotes them).
 */
export function countedFindings(found: CountedFindings): string[] {
  return [
    ...(found.restoreFailed ? ['restore failed'] : []),
    ...(found.tableCount ? [`table count: manifest has ${found.tableCount.manifest}, restored copy has ${found.tableCount.restored}`] : []),
    ...(found.rowCountDifferences ? [`row counts differ in ${found.rowCountDifferences} table(s)`] : []),
    ...(found.failedAssertions ? [`${found.failedAssertions} assertion(s) failed`] : []),
    ...(found.differingFiles ? [`${found.differingFiles} file(s) missing, extra or differing`] : []),
  ];
}

/** The counted findings, the last one saying where the details are (or that none were kept). */
export function sealedReasons(counted: string[], sealedFile: string | undefined): string[] {
  const note = sealedFile ? `details sealed: ${sealedFile}` : 'details not kept: backup.encryption has no recipients to seal them to';
  const reasons = counted.length > 0 ? counted : ['the check failed'];
  return [...reasons.slice(0, -1), `${reasons.at(-1)!} (${note})`];
}
