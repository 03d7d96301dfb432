import type { TableCount } from './backup-record.js';
import { assertionShortfall, type AssertionSpec } from './verify-checks.js';

/** One check of a restored copy with its verdict, as a restore report lists it. */
export interface CheckVerdict {
  check: string;
  passed: boolean;
  detail: string;
}

export interface AssertionResult {
  assertion: AssertionSpec;
  value: number | null;
}

/**
 * The verdict of each check verify runs on a restored copy: the table count, every table's rows
 * against the manifest (manifest order, then tables only the copy has), then each assertion.
 */
export function restoredCopyVerdicts(expected: TableCount[], actual: TableCount[], assertions: AssertionResult[]): CheckVerdict[] {
  const verdicts: CheckVerdict[] = [{ check: 'table count', passed: expected.length === actual.length, detail: `manifest ${expected.length}, restored ${actual.length}` }];
  const manifestRows = new Map(expected.map((t) => [t.table, t.rows]));
  const restoredRows = new Map(actual.map((t) => [t.table, t.rows]));
  const tables = [...new Set([...expected.map((t) => t.table), ...actual.map((t) => t.table)])];
  for (const table of tables) {
    const want = manifestRows.get(table);
    const got = restoredRows.get(table);
    verdicts.push({ check: `rows of ${table}`, passed: want !== undefined && want === got, detail: `manifest ${want ?? 'no such table'}, restored ${got ?? 'no such table'}` });
  }
  for (const { assertion, value } of assertions) {
    const shortfall = assertionShortfall(assertion, value);
    verdicts.push({ check: `assertion ${assertion.name ?? assertion.sql}`, passed: shortfall === undefined, detail: shortfall ?? `got ${value}` });
  }
  return verdicts;
}

/**
 * `verdicts` (restoredCopyVerdicts' for `assertionCount` assertions) told by counts alone, for the
 * plaintext records of an encrypted backup's restore: the table count as is, every table's rows as
 * one verdict, the assertions as one.
 */
export function countedVerdicts(verdicts: CheckVerdict[], assertionCount: number): CheckVerdict[] {
  const [tableCount, ...rest] = verdicts;
  const rows = rest.slice(0, rest.length - assertionCount);
  const asserted = rest.slice(rest.length - assertionCount);
  const differing = rows.filter((v) => !v.passed).length;
  return [
    tableCount!,
    { check: 'row counts', passed: differing === 0, detail: differing === 0 ? `${rows.length} table(s) match the manifest` : `${differing} of ${rows.length} table(s) differ from the manifest` },
    ...(asserted.length > 0 ? [{ check: 'assertions', passed: asserted.every((v) => v.passed), detail: `${asserted.filter((v) => v.passed).length} of ${asserted.length} passed` }] : []),
  ];
}
