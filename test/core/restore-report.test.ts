import { describe, expect, it } from 'vitest';
import { renderRestoreReport, type RestoreRecord } from '../../src/core/restore-report.js';

const base: RestoreRecord = {
  workflowId: 'restore-crm-db-20261207T010000Z',
  target: 'crm-db',
  pick: '--latest',
  status: 'passed',
  startedAt: '2026-12-07T01:00:00.000Z',
  finishedAt: '2026-12-07T01:00:12.500Z',
  backupId: 'crm-db-20261207T020000Z',
  database: 'crm_restored_20261207t010000z',
  server: 'postgres://ops@db1:5432/',
  kept: true,
  restoreSeconds: 9.25,
  rtoSeconds: 12.5,
  checks: [
    { check: 'checksum', passed: true, detail: 'sha256 0123456789ab… of 2048 bytes matches the manifest' },
    { check: 'table count', passed: true, detail: 'manifest 1, restored 1' },
    { check: 'rows of public.a|b', passed: true, detail: 'manifest 3, restored 3' },
  ],
  reasons: [],
};

describe('renderRestoreReport', () => {
  it.each<[string, RestoreRecord, string]>([
    [
      'a restore that passed',
      base,
      [
        '# Restore crm-db: PASSED',
        '',
        '- Run: `restore-crm-db-20261207T010000Z`, 2026-12-07 02:00:00 +01:00 → 2026-12-07 02:00:12 +01:00',
        '- Backup: `crm-db-20261207T020000Z` (--latest), from the local repository',
        '- Into: new database `crm_restored_20261207t010000z` on postgres://ops@db1:5432/ (kept)',
        '- Restore: 9.3s',
        '- RTO (start to checked): 13s',
        '',
        '## Checks',
        '',
        '| Check | Verdict | Detail |',
        '| --- | --- | --- |',
        '| checksum | PASS | sha256 0123456789ab… of 2048 bytes matches the manifest |',
        '| table count | PASS | manifest 1, restored 1 |',
        '| rows of public.a\\|b | PASS | manifest 3, restored 3 |',
        '',
      ].join('\n'),
    ],
    [
      'a cancelled restore',
      { ...base, status: 'cancelled', kept: false, checks: [base.checks[0]!], reasons: ['cancelled'], restoreSeconds: undefined, rtoSeconds: undefined } as RestoreRecord,
      [
        '# Restore crm-db: CANCELLED',
        '',
        '- Run: `restore-crm-db-20261207T010000Z`, 2026-12-07 02:00:00 +01:00 → 2026-12-07 02:00:12 +01:00',
        '- Backup: `crm-db-20261207T020000Z` (--latest), from the local repository',
        '- Into: new database `crm_restored_20261207t010000z` on postgres://ops@db1:5432/ (dropped: the restore was cancelled)',
        '',
        '## Checks',
        '',
        '| Check | Verdict | Detail |',
        '| --- | --- | --- |',
        '| checksum | PASS | sha256 0123456789ab… of 2048 bytes matches the manifest |',
        '',
        '## Why it failed',
        '',
        '- cancelled',
        '',
      ].join('\n'),
    ],
    [
      'no backup to pick',
      { workflowId: 'restore-crm-db-x', target: 'crm-db', pick: '--before 2026-01-01T00:00:00Z', status: 'failed', startedAt: base.startedAt, finishedAt: base.startedAt, kept: false, checks: [], reasons: ['no verified backup of crm-db finished before …'] },
      [
        '# Restore crm-db: FAILED',
        '',
        '- Run: `restore-crm-db-x`, 2026-12-07 02:00:00 +01:00 → 2026-12-07 02:00:00 +01:00',
        '- Backup: none (--before 2026-01-01T00:00:00Z)',
        '',
        '## Why it failed',
        '',
        '- no verified backup of crm-db finished before …',
        '',
      ].join('\n'),
    ],
  ])('%s', (_name, record, expected) => {
    expect(renderRestoreReport(record, 'Europe/Prague')).toBe(expected);
  });
});
