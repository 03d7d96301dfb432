import { describe, expect, it } from 'vitest';
import type { BackupEntry, VerifyRecord } from '../../src/core/backup-record.js';
import { backupMetrics, type TargetMetrics } from '../../src/core/backup-metrics.js';

const now = new Date('2026-11-22T12:00:00Z');

function entry(target: string, finishedAt: string, bytes: number, verify?: Partial<VerifyRecord>): BackupEntry {
  const stamp = finishedAt.replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return {
    id: `${target}-${stamp}`,
    target,
    stamp,
    dir: `/repo/${target}/${stamp}`,
    manifest: {
      formatVersion: 1,
      id: `${target}-${stamp}`,
      target,
      kind: 'postgres',
      artifact: 'dump.pgc',
      startedAt: finishedAt,
      finishedAt,
      bytes,
      sha256: 'abc',
      toolVersions: {},
    },
    ...(verify
      ? { verify: { status: 'passed', startedAt: finishedAt, restoredInto: 'verify_x', reasons: [], rowCountDifferences: [], ...verify } }
      : {}),
  };
}

describe('backupMetrics', () => {
  it.each<[string, BackupEntry[], TargetMetrics[]]>([
    ['no backups', [], []],
    [
      'one unverified backup',
      [entry('app', '2026-11-22T10:30:00Z', 1024)],
      [{ target: 'app', backups: 1, lastDumpAgeMinutes: 90, lastBackupBytes: 1024 }],
    ],
    [
      'one verified backup',
      [entry('app', '2026-11-22T02:00:00Z', 2048, { finishedAt: '2026-11-22T03:00:00Z', restoreSeconds: 42.5 })],
      [{ target: 'app', backups: 1, lastDumpAgeMinutes: 600, lastBackupBytes: 2048, lastVerifyAgeHours: 9, lastRestoreSeconds: 42.5 }],
    ],
    [
      'the newest backup gives age and size, whatever the input order',
      [entry('app', '2026-11-22T02:00:00Z', 300), entry('app', '2026-11-22T11:00:00Z', 500), entry('app', '2026-11-21T02:00:00Z', 100)],
      [{ target: 'app', backups: 3, lastDumpAgeMinutes: 60, lastBackupBytes: 500 }],
    ],
    [
      'a newer backup that failed verify does not count as verified',
      [
        entry('app', '2026-11-21T02:00:00Z', 100, { finishedAt: '2026-11-21T03:00:00Z', restoreSeconds: 30 }),
        entry('app', '2026-11-22T02:00:00Z', 200, { status: 'failed', finishedAt: '2026-11-22T03:00:00Z', restoreSeconds: 31 }),
        entry('app', '2026-11-22T11:30:00Z', 300, { status: 'running' }),
      ],
      [{ target: 'app', backups: 3, lastDumpAgeMinutes: 30, lastBackupBytes: 300, lastVerifyAgeHours: 33, lastRestoreSeconds: 30 }],
    ],
    [
      'a passed verify without restoreSeconds or finishedAt reports neither',
      [entry('app', '2026-11-22T11:00:00Z', 1, {})],
      [{ target: 'app', backups: 1, lastDumpAgeMinutes: 60, lastBackupBytes: 1 }],
    ],
    [
      'one row per target, sorted by name',
      [
        entry('web-files', '2026-11-22T11:45:00Z', 7),
        entry('crm', '2026-11-22T11:00:00Z', 5, { finishedAt: '2026-11-22T11:30:00Z', restoreSeconds: 0 }),
        entry('app', '2026-11-22T06:00:00Z', 3),
        entry('crm', '2026-11-21T11:00:00Z', 4),
      ],
      [
        { target: 'app', backups: 1, lastDumpAgeMinutes: 360, lastBackupBytes: 3 },
        { target: 'crm', backups: 2, lastDumpAgeMinutes: 60, lastBackupBytes: 5, lastVerifyAgeHours: 0.5, lastRestoreSeconds: 0 },
        { target: 'web-files', backups: 1, lastDumpAgeMinutes: 15, lastBackupBytes: 7 },
      ],
    ],
  ])('%s', (_name, entries, expected) => {
    expect(backupMetrics(entries, now)).toStrictEqual(expected);
  });
});
