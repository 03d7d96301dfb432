import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_LIMITS, type DrillRecord } from '../../src/core/backup-health.js';
import type { BackupRunRecord } from '../../src/core/backup-history.js';
import { backupMetrics, type BackupMetrics } from '../../src/core/backup-metrics.js';
import type { BackupEntry, VerifyRecord } from '../../src/core/backup-record.js';

const now = new Date('2026-11-22T12:00:00Z');

/** '11-22T02:00' -> '2026-11-22T02:00:00Z' */
const t = (short: string) => `2026-${short}:00Z`;

interface Opts {
  startedAt?: string;
  verify?: Partial<VerifyRecord> & Pick<VerifyRecord, 'status'>;
}

function entry(target: string, finished: string, bytes: number, opts: Opts = {}): BackupEntry {
  const finishedAt = t(finished);
  const stamp = finishedAt.replace(/[-:]/g, '');
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
      startedAt: opts.startedAt ? t(opts.startedAt) : finishedAt,
      finishedAt,
      bytes,
      sha256: 'abc',
      toolVersions: {},
    },
    ...(opts.verify ? { verify: { startedAt: finishedAt, restoredInto: 'verify_x', reasons: [], rowCountDifferences: [], ...opts.verify } } : {}),
  };
}

function drill(target: string, finished: string, restoreSeconds: number): DrillRecord {
  return { id: `drill-${finished}`, target, backupId: 'b', status: 'passed', startedAt: t(finished), finishedAt: t(finished), restoreSeconds, reasons: [] };
}

describe('backupMetrics', () => {
  it.each<[string, string[], BackupEntry[], DrillRecord[], BackupMetrics]>([
    ['nothing configured, nothing on disk', [], [], [], { overallStatus: 0, targets: [], storage: [] }],
    [
      'a configured target without backups fails, has no ages and stores nothing',
      ['app'],
      [],
      [],
      { overallStatus: 2, targets: [{ target: 'app', healthStatus: 2, consecutiveVerifyFailures: 0 }], storage: [{ target: 'app', backups: 0, bytes: 0 }] },
    ],
    [
      'one verified backup',
      ['app'],
      [entry('app', '11-22T02:00', 2048, { startedAt: '11-22T01:58', verify: { status: 'passed', startedAt: t('11-22T02:30'), finishedAt: t('11-22T03:00'), restoreSeconds: 42.5 } })],
      [],
      {
        overallStatus: 0,
        targets: [
          {
            target: 'app',
            healthStatus: 0,
            consecutiveVerifyFailures: 0,
            lastDumpAgeMinutes: 600,
            lastVerifyAgeHours: 9,
            backupSuccessRate7d: 1,
            verifySuccessRate7d: 1,
            lastRestoreSeconds: 42.5,
            lastBackupBytes: 2048,
            dumpSeconds: 120,
            verifySeconds: 1800,
          },
        ],
        storage: [{ target: 'app', backups: 1, bytes: 2048 }],
      },
    ],
    [
      'a newer backup that failed verify is no valid dump, but gives the newest size, dump and verify times',
      ['app'],
      [
        entry('app', '11-22T02:00', 200, { startedAt: '11-22T01:59', verify: { status: 'failed', startedAt: t('11-22T02:10'), finishedAt: t('11-22T03:00'), restoreSeconds: 31 } }),
        entry('app', '11-21T02:00', 100, { startedAt: '11-21T01:50', verify: { status: 'passed', finishedAt: t('11-21T03:00'), restoreSeconds: 30 } }),
      ],
      [],
      {
        overallStatus: 2,
        targets: [
          {
            target: 'app',
            healthStatus: 2,
            consecutiveVerifyFailures: 1,
            lastDumpAgeMinutes: 34 * 60,
            lastVerifyAgeHours: 33,
            backupSuccessRate7d: 0.5,
            verifySuccessRate7d: 0.5,
            lastRestoreSeconds: 30,
            lastBackupBytes: 200,
            dumpSeconds: 60,
            verifySeconds: 3000,
          },
        ],
        storage: [{ target: 'app', backups: 2, bytes: 300 }],
      },
    ],
    [
      'a backup whose verify is still running is a valid dump with no verify figures',
      ['app'],
      [entry('app', '11-22T11:30', 7, { startedAt: '11-22T11:29', verify: { status: 'running' } })],
      [],
      {
        overallStatus: 1,
        targets: [{ target: 'app', healthStatus: 1, consecutiveVerifyFailures: 0, lastDumpAgeMinutes: 30, lastBackupBytes: 7, dumpSeconds: 60 }],
        storage: [{ target: 'app', backups: 1, bytes: 7 }],
      },
    ],
    [
      'a drill newer than the last verify gives the restore duration; drills of other targets do not',
      ['app'],
      [entry('app', '11-22T02:00', 1, { verify: { status: 'passed', finishedAt: t('11-22T03:00'), restoreSeconds: 30 } })],
      [drill('app', '11-22T08:00', 55), drill('web', '11-22T09:00', 99)],
      {
        overallStatus: 0,
        targets: [
          {
            target: 'app',
            healthStatus: 0,
            consecutiveVerifyFailures: 0,
            lastDumpAgeMinutes: 600,
            lastVerifyAgeHours: 9,
            backupSuccessRate7d: 1,
            verifySuccessRate7d: 1,
            lastRestoreSeconds: 55,
            lastBackupBytes: 1,
            dumpSeconds: 0,
            verifySeconds: 3600,
          },
        ],
        storage: [{ target: 'app', backups: 1, bytes: 1 }],
      },
    ],
    [
      'a target no longer configured counts towards storage only; the worst configured target is overall; sorted by name',
      ['web', 'app'],
      [
        entry('old', '10-01T02:00', 500),
        entry('app', '11-22T11:00', 10, { verify: { status: 'passed', finishedAt: t('11-22T11:00') } }),
        entry('old', '10-02T02:00', 600),
      ],
      [],
      {
        overallStatus: 2,
        targets: [
          {
            target: 'app',
            healthStatus: 0,
            consecutiveVerifyFailures: 0,
            lastDumpAgeMinutes: 60,
            lastVerifyAgeHours: 1,
            backupSuccessRate7d: 1,
            verifySuccessRate7d: 1,
            lastBackupBytes: 10,
            dumpSeconds: 0,
            verifySeconds: 0,
          },
          { target: 'web', healthStatus: 2, consecutiveVerifyFailures: 0 },
        ],
        storage: [
          { target: 'app', backups: 1, bytes: 10 },
          { target: 'old', backups: 2, bytes: 1100 },
          { target: 'web', backups: 0, bytes: 0 },
        ],
      },
    ],
  ])('%s', (_name, targets, entries, drills, expected) => {
    expect(backupMetrics({ targets, entries, drills, history: [], restores: [], now, limits: DEFAULT_HEALTH_LIMITS })).toStrictEqual(expected);
  });

  it('verify failures in a row and success rates count what the run history keeps: a failed verify retention pruned, a failed dump', () => {
    const idOf = (short: string) => `app-${t(short).replace(/[-:]/g, '')}`;
    const history: BackupRunRecord[] = [
      { at: t('11-21T03:00'), target: 'app', kind: 'backup', backupId: idOf('11-21T02:00'), dump: 'ok', verify: 'failed', reason: 'checksum mismatch' },
      { at: t('11-22T01:00'), target: 'app', kind: 'backup', dump: 'failed', verify: 'none', reason: 'password authentication failed' },
      { at: t('11-22T03:00'), target: 'app', kind: 'backup', backupId: idOf('11-22T02:00'), dump: 'ok', verify: 'failed', reason: 'checksum mismatch' },
    ];
    const entries = [entry('app', '11-22T02:00', 200, { startedAt: '11-22T01:59', verify: { status: 'failed', startedAt: t('11-22T02:10'), finishedAt: t('11-22T03:00') } })];
    expect(backupMetrics({ targets: ['app'], entries, drills: [], history, restores: [], now, limits: DEFAULT_HEALTH_LIMITS })).toStrictEqual({
      overallStatus: 2,
      targets: [
        { target: 'app', healthStatus: 2, consecutiveVerifyFailures: 2, backupSuccessRate7d: 0, verifySuccessRate7d: 0, lastBackupBytes: 200, dumpSeconds: 60, verifySeconds: 3000 },
      ],
      storage: [{ target: 'app', backups: 1, bytes: 200 }],
    });
  });
});
