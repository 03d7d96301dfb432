import { describe, expect, it } from 'vitest';
import type { TableCount } from '../../src/core/backup-record.js';
import { countedVerdicts, restoredCopyVerdicts, type AssertionResult, type CheckVerdict } from '../../src/core/check-verdicts.js';

const t = (table: string, rows: number): TableCount => ({ table, rows });

describe('restoredCopyVerdicts', () => {
  it.each<[string, TableCount[], TableCount[], AssertionResult[], CheckVerdict[]]>([
    ['nothing at all', [], [], [], [{ check: 'table count', passed: true, detail: 'manifest 0, restored 0' }]],
    [
      'every table matches, in manifest order',
      [t('public.b', 2), t('public.a', 0)],
      [t('public.a', 0), t('public.b', 2)],
      [],
      [
        { check: 'table count', passed: true, detail: 'manifest 2, restored 2' },
        { check: 'rows of public.b', passed: true, detail: 'manifest 2, restored 2' },
        { check: 'rows of public.a', passed: true, detail: 'manifest 0, restored 0' },
      ],
    ],
    [
      'a count differs, a table missing, an extra table',
      [t('a', 5), t('b', 1)],
      [t('a', 4), t('c', 7)],
      [],
      [
        { check: 'table count', passed: true, detail: 'manifest 2, restored 2' },
        { check: 'rows of a', passed: false, detail: 'manifest 5, restored 4' },
        { check: 'rows of b', passed: false, detail: 'manifest 1, restored no such table' },
        { check: 'rows of c', passed: false, detail: 'manifest no such table, restored 7' },
      ],
    ],
    [
      'assertions, named and by SQL',
      [],
      [],
      [
        { assertion: { name: 'has companies', sql: 'SELECT count(*) FROM companies', min: 1 }, value: 12 },
        { assertion: { sql: 'SELECT 1', equals: 2 }, value: 1 },
        { assertion: { name: 'null', sql: 'SELECT NULL', max: 3 }, value: null },
      ],
      [
        { check: 'table count', passed: true, detail: 'manifest 0, restored 0' },
        { check: 'assertion has companies', passed: true, detail: 'got 12' },
        { check: 'assertion SELECT 1', passed: false, detail: 'got 1, expected = 2' },
        { check: 'assertion null', passed: false, detail: 'query returned no numeric value' },
      ],
    ],
  ])('%s', (_name, expected, actual, assertions, verdicts) => {
    expect(restoredCopyVerdicts(expected, actual, assertions)).toEqual(verdicts);
  });

  it('a different number of tables fails the table count', () => {
    expect(restoredCopyVerdicts([t('a', 1)], [t('a', 1), t('b', 0)], [])[0]).toEqual({ check: 'table count', passed: false, detail: 'manifest 1, restored 2' });
  });
});

describe('countedVerdicts', () => {
  const companies = { assertion: { name: 'has companies', sql: 'SELECT count(*) FROM companies', min: 1 }, value: 12 };
  const short = { assertion: { sql: 'SELECT 1', equals: 2 }, value: 1 };
  it.each<[string, TableCount[], TableCount[], AssertionResult[], CheckVerdict[]]>([
    ['nothing at all', [], [], [], [{ check: 'table count', passed: true, detail: 'manifest 0, restored 0' }, { check: 'row counts', passed: true, detail: '0 table(s) match the manifest' }]],
    [
      'every table matches, an assertion passes',
      [t('public.b', 2), t('public.a', 0)],
      [t('public.a', 0), t('public.b', 2)],
      [companies],
      [
        { check: 'table count', passed: true, detail: 'manifest 2, restored 2' },
        { check: 'row counts', passed: true, detail: '2 table(s) match the manifest' },
        { check: 'assertions', passed: true, detail: '1 of 1 passed' },
      ],
    ],
    [
      'a count differs, a table missing, an extra table; one assertion of two fails',
      [t('a', 5), t('b', 1), t('d', 3)],
      [t('a', 4), t('c', 7), t('d', 3)],
      [companies, short],
      [
        { check: 'table count', passed: true, detail: 'manifest 3, restored 3' },
        { check: 'row counts', passed: false, detail: '3 of 4 table(s) differ from the manifest' },
        { check: 'assertions', passed: false, detail: '1 of 2 passed' },
      ],
    ],
  ])('%s: no table or assertion named', (_name, expected, actual, assertions, verdicts) => {
    const counted = countedVerdicts(restoredCopyVerdicts(expected, actual, assertions), assertions.length);
    expect(counted).toEqual(verdicts);
    for (const name of ['public.a', 'public.b', 'has companies', 'SELECT']) expect(JSON.stringify(counted)).not.toContain(name);
  });
});
