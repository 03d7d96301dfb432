import { describe, expect, it } from 'vitest';
import type { TableCount } from '../../src/core/backup-record.js';
import { assertionFailure, compareRowCounts, countedFindings, sealedReasons, type AssertionSpec, type CheckOutcome, type CountedFindings } from '../../src/core/verify-checks.js';

const t = (table: string, rows: number): TableCount => ({ table, rows });

describe('compareRowCounts', () => {
  it.each<[string, TableCount[], TableCount[], CheckOutcome]>([
    ['both empty', [], [], { reasons: [], rowCountDifferences: [] }],
    ['identical', [t('public.a', 3), t('public.b', 0)], [t('public.a', 3), t('public.b', 0)], { reasons: [], rowCountDifferences: [] }],
    ['same tables in another order', [t('a', 1), t('b', 2)], [t('b', 2), t('a', 1)], { reasons: [], rowCountDifferences: [] }],
    [
      'one count differs',
      [t('public.orders', 10), t('public.companies', 5)],
      [t('public.orders', 9), t('public.companies', 5)],
      { reasons: ['row counts differ in 1 table(s): public.orders'], rowCountDifferences: [{ table: 'public.orders', expected: 10, actual: 9 }] },
    ],
    [
      'a table missing from the restored copy',
      [t('a', 1), t('b', 5)],
      [t('a', 1)],
      {
        reasons: ['table count: manifest has 2, restored copy has 1', 'row counts differ in 1 table(s): b'],
        rowCountDifferences: [{ table: 'b', expected: 5, actual: null }],
      },
    ],
    [
      'an empty table missing from the restored copy',
      [t('empty', 0)],
      [],
      {
        reasons: ['table count: manifest has 1, restored copy has 0', 'row counts differ in 1 table(s): empty'],
        rowCountDifferences: [{ table: 'empty', expected: 0, actual: null }],
      },
    ],
    [
      'an extra table in the restored copy',
      [t('a', 1)],
      [t('a', 1), t('stray', 7)],
      {
        reasons: ['table count: manifest has 1, restored copy has 2', 'row counts differ in 1 table(s): stray'],
        rowCountDifferences: [{ table: 'stray', expected: null, actual: 7 }],
      },
    ],
    [
      'a renamed table: same count, two differences',
      [t('a', 1), t('b', 2)],
      [t('a', 1), t('b2', 2)],
      {
        reasons: ['row counts differ in 2 table(s): b, b2'],
        rowCountDifferences: [
          { table: 'b', expected: 2, actual: null },
          { table: 'b2', expected: null, actual: 2 },
        ],
      },
    ],
    [
      'several differences: expected order first, then extras',
      [t('c', 3), t('a', 1), t('b', 2)],
      [t('x', 0), t('b', 20), t('a', 1), t('c', 30)],
      {
        reasons: ['table count: manifest has 3, restored copy has 4', 'row counts differ in 3 table(s): c, b, x'],
        rowCountDifferences: [
          { table: 'c', expected: 3, actual: 30 },
          { table: 'b', expected: 2, actual: 20 },
          { table: 'x', expected: null, actual: 0 },
        ],
      },
    ],
  ])('%s', (_name, expected, actual, outcome) => {
    expect(compareRowCounts(expected, actual)).toStrictEqual(outcome);
  });
});

describe('assertionFailure', () => {
  const sql = 'SELECT count(*) FROM companies';
  it.each<[string, AssertionSpec, number | null, string | undefined]>([
    ['min holds', { sql, min: 1 }, 5, undefined],
    ['min holds at the bound', { sql, min: 1 }, 1, undefined],
    ['below min', { sql, min: 1 }, 0, 'assertion "SELECT count(*) FROM companies": got 0, expected >= 1'],
    ['max holds at the bound', { sql, max: 100 }, 100, undefined],
    ['above max', { sql, max: 100 }, 101, 'assertion "SELECT count(*) FROM companies": got 101, expected <= 100'],
    ['equals holds', { sql, equals: 0 }, 0, undefined],
    ['equals fails', { sql, equals: 0 }, 3, 'assertion "SELECT count(*) FROM companies": got 3, expected = 0'],
    ['inside a range', { sql, min: 1, max: 10 }, 10, undefined],
    ['below a range', { sql, min: 1, max: 10 }, -2, 'assertion "SELECT count(*) FROM companies": got -2, expected >= 1'],
    ['above a range', { sql, min: 1, max: 10 }, 10.5, 'assertion "SELECT count(*) FROM companies": got 10.5, expected <= 10'],
    ['equals is checked before min', { sql, equals: 5, min: 10 }, 3, 'assertion "SELECT count(*) FROM companies": got 3, expected = 5'],
    ['the name labels the message', { name: 'companies exist', sql, min: 1 }, 0, 'assertion "companies exist": got 0, expected >= 1'],
    ['no value', { sql, min: 1 }, null, 'assertion "SELECT count(*) FROM companies": query returned no numeric value'],
    ['NaN', { name: 'n', sql, max: 1 }, Number.NaN, 'assertion "n": query returned no numeric value'],
    ['no value fails even without bounds', { sql }, null, 'assertion "SELECT count(*) FROM companies": query returned no numeric value'],
    ['no bounds: any number holds', { sql }, 42, undefined],
  ])('%s', (_name, assertion, value, expected) => {
    expect(assertionFailure(assertion, value)).toBe(expected);
  });
});

describe('countedFindings: what the plaintext records of an encrypted backup say', () => {
  it.each<[CountedFindings, string[]]>([
    [{}, []],
    [{ rowCountDifferences: 3 }, ['row counts differ in 3 table(s)']],
    [{ tableCount: { manifest: 5, restored: 4 }, rowCountDifferences: 1, failedAssertions: 2 }, ['table count: manifest has 5, restored copy has 4', 'row counts differ in 1 table(s)', '2 assertion(s) failed']],
    [{ restoreFailed: true }, ['restore failed']],
    [{ differingFiles: 7 }, ['7 file(s) missing, extra or differing']],
    [{ rowCountDifferences: 0, failedAssertions: 0, differingFiles: 0 }, []],
  ])('%j -> %j', (found, expected) => {
    expect(countedFindings(found)).toEqual(expected);
  });
});

describe('sealedReasons: the last reason names where the details went', () => {
  it.each<[string[], string | undefined, string[]]>([
    [['row counts differ in 3 table(s)'], 'verify.json.age', ['row counts differ in 3 table(s) (details sealed: verify.json.age)']],
    [['row counts differ in 1 table(s)', '2 assertion(s) failed'], 'verify.json.age', ['row counts differ in 1 table(s)', '2 assertion(s) failed (details sealed: verify.json.age)']],
    [[], 'verify.json.age', ['the check failed (details sealed: verify.json.age)']],
    [['restore failed'], undefined, ['restore failed (details not kept: backup.encryption has no recipients to seal them to)']],
  ])('%j, %s -> %j', (counted, file, expected) => {
    expect(sealedReasons(counted, file)).toEqual(expected);
  });
});
