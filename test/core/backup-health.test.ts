import { describe, expect, it } from 'vitest';
import type { BackupRunRecord } from '../../src/core/backup-history.js';
import { stampOf } from '../../src/core/backup-id.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import {
  DEFAULT_HEALTH_LIMITS,
  evaluateHealth,
  type DrillRecord,
  type HealthInput,
  type HealthLimits,
  type HealthStatus,
  type TargetHealth,
} from '../../src/core/backup-health.js';

const now = new Date('2026-11-22T12:00:00Z');

/** '11-22T02:00' -> '2026-11-22T02:00:00Z'; a full ISO string passes through. */
function t(short: string): string {
  return short.startsWith('2026') ? short : `2026-${short}:00Z`;
}

interface Opts {
  target?: string;
  bytes?: number;
  verifiedAt?: string;
  restoreSeconds?: number;
}

/** The id of the backup of `target` stamped at `short`, as the repository and the history name it. */
const idOf = (short: string, target = 'crm-db') => `${target}-${stampOf(new Date(t(short)))}`;

function backup(finished: string, verify?: 'passed' | 'failed' | 'running', opts: Opts = {}): BackupEntry {
  const target = opts.target ?? 'crm-db';
  const finishedAt = t(finished);
  const id = idOf(finished, target);
  const stamp = stampOf(new Date(finishedAt));
  return {
    id,
    target,
    stamp,
    dir: `/repo/${target}/${stamp}`,
    manifest: { formatVersion: 1, id, target, kind: 'postgres', artifact: 'dump.pgc', startedAt: finishedAt, finishedAt, bytes: opts.bytes ?? 100, sha256: 'abc', toolVersions: {} },
    ...(verify
      ? {
          verify: {
            status: verify,
            startedAt: finishedAt,
            ...(verify === 'running' ? {} : { finishedAt: opts.verifiedAt ? t(opts.verifiedAt) : finishedAt }),
            ...(opts.restoreSeconds === undefined ? {} : { restoreSeconds: opts.restoreSeconds }),
            restoredInto: 'verify_x',
            reasons: [],
            rowCountDifferences: [],
          },
        }
      : {}),
  };
}

function drill(finished: string, status: 'passed' | 'failed', restoreSeconds?: number, target = 'crm-db'): DrillRecord {
  return { id: `drill-${finished}`, target, backupId: 'b', status, startedAt: t(finished), finishedAt: t(finished), reasons: [], ...(restoreSeconds === undefined ? {} : { restoreSeconds }) };
}

/** A chain run of the backup stamped `backupAt` that finished at `at`: dumped, then verified (or not). */
function ran(at: string, verify: BackupRunRecord['verify'], backupAt: string, target = 'crm-db'): BackupRunRecord {
  return { at: t(at), target, kind: 'backup', backupId: idOf(backupAt, target), dump: 'ok', verify };
}

/** A chain run whose dump failed: it left no backup. */
function dumpFailed(at: string, target = 'crm-db'): BackupRunRecord {
  return { at: t(at), target, kind: 'backup', dump: 'failed', verify: 'none', reason: 'password authentication failed' };
}

/** `ops verify` of the backup stamped `backupAt`, finished at `at`. */
function reverified(at: string, verify: 'passed' | 'failed', backupAt: string): BackupRunRecord {
  return { at: t(at), target: 'crm-db', kind: 'verify', backupId: idOf(backupAt), verify };
}

function input(entries: BackupEntry[], more: Partial<HealthInput> = {}): HealthInput {
  return { targets: ['crm-db'], entries, drills: [], history: [], now, limits: DEFAULT_HEALTH_LIMITS, ...more };
}

const limits = (more: Partial<HealthLimits>): HealthLimits => ({ ...DEFAULT_HEALTH_LIMITS, ...more });
const healthy = [backup('11-22T02:00', 'passed', { verifiedAt: '11-22T02:30', restoreSeconds: 42 }), backup('11-21T02:00', 'passed', { restoreSeconds: 40 })];

describe('evaluateHealth: figures', () => {
  it.each<[string, HealthInput, TargetHealth]>([
    [
      'healthy',
      input(healthy),
      { target: 'crm-db', status: 'OK', findings: [], backups: 2, validDumpAgeHours: 10, passedVerifyAgeHours: 9.5, backupSuccessRate7d: 1, verifySuccessRate7d: 1, lastRestoreSeconds: 42, consecutiveVerifyFailures: 0, storageBytes: 200 },
    ],
    [
      'no backups at all',
      input([]),
      {
        target: 'crm-db', status: 'FAIL', findings: [{ check: 'rpo', status: 'FAIL', message: 'no backup yet' }], backups: 0, validDumpAgeHours: null,
        passedVerifyAgeHours: null, backupSuccessRate7d: null, verifySuccessRate7d: null, lastRestoreSeconds: null, consecutiveVerifyFailures: 0, storageBytes: 0,
      },
    ],
    [
      'newest failed verify, a failed run, one outside the 7-day window',
      input(
        [backup('11-22T02:00', 'failed', { verifiedAt: '11-22T02:30' }), backup('11-21T02:00', 'passed', { verifiedAt: '11-21T02:30', restoreSeconds: 40 }), backup('11-14T02:00', 'failed')],
        { history: [dumpFailed('11-19T02:00'), dumpFailed('11-15T11:59'), dumpFailed('11-20T02:00', 'other')] },
      ),
      {
        target: 'crm-db',
        status: 'FAIL',
        findings: [
          { check: 'rpo', status: 'FAIL', message: 'no valid dump for 34h (limit 24h)' },
          { check: 'verify-failures', status: 'WARN', message: 'verify failed 1 time in a row (fail at 2)' },
          { check: 'success-rate', status: 'WARN', message: 'backup success rate 33.3% (1 of 3) over 7d (goal 99%)' },
        ],
        backups: 3, validDumpAgeHours: 34, passedVerifyAgeHours: 33.5, backupSuccessRate7d: 1 / 3, verifySuccessRate7d: 0.5,
        lastRestoreSeconds: 40, consecutiveVerifyFailures: 1, storageBytes: 300,
      },
    ],
  ])('%s', (_name, given, expected) => {
    expect(evaluateHealth(given).targets).toEqual([expected]);
  });
});

describe('evaluateHealth: status and reasons', () => {
  it.each<[string, HealthInput, HealthStatus, string[]]>([
    ['healthy', input(healthy), 'OK', []],
    ['valid dump exactly 24h old is within the RPO', input([backup('11-21T12:00', 'passed')]), 'OK', []],
    ['24h and 1s is not, and reads as over', input([backup('2026-11-21T11:59:59Z', 'passed')]), 'FAIL', ['crm-db: no valid dump for 24.1h (limit 24h)']],
    ['a backup still verifying is valid', input([backup('11-22T02:00', 'running'), backup('11-21T02:00', 'passed')]), 'OK', []],
    ['never verified', input([backup('11-22T02:00')]), 'WARN', ['crm-db: no passed verify yet']],
    [
      'every backup failed verify',
      input([backup('11-22T02:00', 'failed'), backup('11-21T02:00', 'failed')]),
      'FAIL',
      [
        'crm-db: no valid dump: all 2 backups failed verify',
        'crm-db: verify failed 2 times in a row (fail at 2)',
        'crm-db: no passed verify yet',
        'crm-db: backup success rate 0% (0 of 2) over 7d (goal 99%)',
      ],
    ],
    ['passed verify exactly 48h old', input([backup('11-22T02:00'), backup('11-20T02:00', 'passed', { verifiedAt: '11-20T12:00' })]), 'OK', []],
    [
      'passed verify 48h 6m old',
      input([backup('11-22T02:00'), backup('11-20T02:00', 'passed', { verifiedAt: '11-20T11:54' })]),
      'WARN',
      ['crm-db: no passed verify for 48.1h (limit 48h)'],
    ],
    [
      'consecutive failures skip verifies still running and stop at a pass',
      input([backup('11-22T06:00', 'failed'), backup('11-22T04:00', 'running'), backup('11-22T02:00', 'failed'), backup('11-21T02:00', 'passed'), backup('11-20T02:00', 'failed')]),
      'FAIL',
      ['crm-db: verify failed 2 times in a row (fail at 2)', 'crm-db: backup success rate 25% (1 of 4) over 7d (goal 99%)'],
    ],
    [
      'below a higher threshold it is a warning',
      input([backup('11-22T04:00', 'failed'), backup('11-22T02:00', 'failed'), backup('11-22T00:00', 'passed')], { limits: limits({ consecutiveVerifyFailuresFail: 3, successRateGoal: 0 }) }),
      'WARN',
      ['crm-db: verify failed 2 times in a row (fail at 3)'],
    ],
    [
      'success rate exactly at the goal',
      input([backup('11-22T02:00', 'passed')], { history: [dumpFailed('11-20T02:00')], limits: limits({ successRateGoal: 0.5 }) }),
      'OK',
      [],
    ],
    [
      'a failed run exactly 7 days ago counts, a millisecond older does not',
      input([backup('11-22T02:00', 'passed')], { history: [dumpFailed('11-15T12:00'), dumpFailed('2026-11-15T11:59:59.999Z')] }),
      'WARN',
      ['crm-db: backup success rate 50% (1 of 2) over 7d (goal 99%)'],
    ],
    ['a backup stamped in the future is fresh', input([backup('11-22T12:05', 'passed')]), 'OK', []],
    ['storage at 90% of the cap', input([backup('11-22T02:00', 'passed', { bytes: 900 })], { limits: limits({ storageCapBytes: 1000 }) }), 'OK', []],
    [
      'storage above 90% of the cap',
      input([backup('11-22T02:00', 'passed', { bytes: 901 })], { limits: limits({ storageCapBytes: 1000 }) }),
      'WARN',
      ['crm-db: storage 901 B is 90.1% of cap 1000 B'],
    ],
    [
      'storage exactly at the cap is a warning',
      input([backup('11-22T02:00', 'passed', { bytes: 1000 })], { limits: limits({ storageCapBytes: 1000 }) }),
      'WARN',
      ['crm-db: storage 1000 B is 100% of cap 1000 B'],
    ],
    [
      'storage over the cap, summed over backups',
      input([backup('11-22T02:00', 'passed', { bytes: 2048 }), backup('11-21T02:00', 'passed', { bytes: 1024 })], { limits: limits({ storageCapBytes: 2048 }) }),
      'FAIL',
      ['crm-db: storage 3 KiB over cap 2 KiB'],
    ],
    [
      'overall is the worst target, a configured target without backups fails',
      input([...healthy, backup('11-22T02:00', undefined, { target: 'files' })], { targets: ['crm-db', 'files', 'shop-db'] }),
      'FAIL',
      ['files: no passed verify yet', 'shop-db: no backup yet'],
    ],
    ['no targets configured', input([], { targets: [] }), 'OK', []],
  ])('%s', (_name, given, status, reasons) => {
    const report = evaluateHealth(given);
    expect([report.status, report.reasons]).toEqual([status, reasons]);
  });
});

describe('evaluateHealth: the run history outlives retention', () => {
  // Retention kept the passed 11-20 backup (newest verified) and the failed 11-22 one (newest), and pruned the failed 11-21 one.
  const afterRetention = [backup('11-22T02:00', 'failed', { verifiedAt: '11-22T02:30' }), backup('11-20T02:00', 'passed', { verifiedAt: '11-20T02:30' })];
  const threeNights = [ran('11-20T02:30', 'passed', '11-20T02:00'), ran('11-21T02:30', 'failed', '11-21T02:00'), ran('11-22T02:30', 'failed', '11-22T02:00')];
  const figures = { backups: 2, validDumpAgeHours: 58, passedVerifyAgeHours: 57.5, lastRestoreSeconds: null, storageBytes: 200 };
  const stale = [
    { check: 'rpo', status: 'FAIL', message: 'no valid dump for 58h (limit 24h)' },
    { check: 'verify-failures', status: 'FAIL', message: 'verify failed 2 times in a row (fail at 2)' },
    { check: 'verify-age', status: 'WARN', message: 'no passed verify for 57.5h (limit 48h)' },
  ] as const;

  it.each<[string, HealthInput, TargetHealth]>([
    [
      'a failed verify pruned by retention still counts in the streak and the rates',
      input(afterRetention, { history: threeNights }),
      {
        target: 'crm-db', status: 'FAIL', ...figures,
        findings: [...stale, { check: 'success-rate', status: 'WARN', message: 'backup success rate 33.3% (1 of 3) over 7d (goal 99%)' }],
        backupSuccessRate7d: 1 / 3, verifySuccessRate7d: 1 / 3, consecutiveVerifyFailures: 2,
      },
    ],
    [
      'without a history only the backups on disk count: the pruned failure is unknown',
      input(afterRetention),
      {
        target: 'crm-db', status: 'FAIL', ...figures,
        findings: [
          stale[0],
          { check: 'verify-failures', status: 'WARN', message: 'verify failed 1 time in a row (fail at 2)' },
          stale[2],
          { check: 'success-rate', status: 'WARN', message: 'backup success rate 50% (1 of 2) over 7d (goal 99%)' },
        ],
        backupSuccessRate7d: 0.5, verifySuccessRate7d: 0.5, consecutiveVerifyFailures: 1,
      },
    ],
    [
      'a failed dump counts against the success rate',
      input([backup('11-22T02:00', 'passed', { verifiedAt: '11-22T02:30' }), backup('11-21T02:00', 'passed', { verifiedAt: '11-21T02:30' })], {
        history: [ran('11-21T02:30', 'passed', '11-21T02:00'), dumpFailed('11-21T14:00'), ran('11-22T02:30', 'passed', '11-22T02:00')],
      }),
      {
        target: 'crm-db', status: 'WARN', findings: [{ check: 'success-rate', status: 'WARN', message: 'backup success rate 66.6% (2 of 3) over 7d (goal 99%)' }],
        backups: 2, validDumpAgeHours: 10, passedVerifyAgeHours: 9.5, backupSuccessRate7d: 2 / 3, verifySuccessRate7d: 1, lastRestoreSeconds: null,
        consecutiveVerifyFailures: 0, storageBytes: 200,
      },
    ],
    [
      'a passed verify then a failed re-verify: the pass still dates the verify age, the failure is its own finding',
      input([backup('11-22T02:00', 'failed', { verifiedAt: '11-22T09:00' })], {
        history: [ran('11-22T02:30', 'passed', '11-22T02:00'), reverified('11-22T09:00', 'failed', '11-22T02:00')],
      }),
      {
        target: 'crm-db', status: 'FAIL',
        findings: [
          { check: 'rpo', status: 'FAIL', message: 'no valid dump: all 1 backup failed verify' },
          { check: 'verify-failures', status: 'WARN', message: 'verify failed 1 time in a row (fail at 2)' },
        ],
        backups: 1, validDumpAgeHours: null, passedVerifyAgeHours: 9.5, backupSuccessRate7d: 1, verifySuccessRate7d: 0.5, lastRestoreSeconds: null,
        consecutiveVerifyFailures: 1, storageBytes: 100,
      },
    ],
    [
      'a pass in the history of a backup retention pruned dates nothing: it is no longer restorable',
      input([backup('11-22T02:00', 'failed', { verifiedAt: '11-22T02:30' })], {
        history: [ran('11-21T02:30', 'passed', '11-21T02:00'), ran('11-22T02:30', 'failed', '11-22T02:00')],
      }),
      {
        target: 'crm-db', status: 'FAIL',
        findings: [
          { check: 'rpo', status: 'FAIL', message: 'no valid dump: all 1 backup failed verify' },
          { check: 'verify-failures', status: 'WARN', message: 'verify failed 1 time in a row (fail at 2)' },
          { check: 'verify-age', status: 'WARN', message: 'no passed verify yet' },
          { check: 'success-rate', status: 'WARN', message: 'backup success rate 50% (1 of 2) over 7d (goal 99%)' },
        ],
        backups: 1, validDumpAgeHours: null, passedVerifyAgeHours: null, backupSuccessRate7d: 0.5, verifySuccessRate7d: 0.5, lastRestoreSeconds: null,
        consecutiveVerifyFailures: 1, storageBytes: 100,
      },
    ],
  ])('%s', (_name, given, expected) => {
    expect(evaluateHealth(given).targets).toEqual([expected]);
  });

  it.each<[string, HealthInput, HealthStatus, string[]]>([
    [
      'a passed re-verify of the newest backup ends the streak, but not the failed runs',
      input([backup('11-22T02:00', 'passed', { verifiedAt: '11-22T09:00' }), backup('11-20T02:00', 'passed', { verifiedAt: '11-20T02:30' })], {
        history: [...threeNights, reverified('11-22T09:00', 'passed', '11-22T02:00')],
      }),
      'WARN',
      ['crm-db: backup success rate 33.3% (1 of 3) over 7d (goal 99%)'],
    ],
    [
      'a passed re-verify of an older backup does not hide that the newer ones fail',
      input([backup('11-22T02:00', 'failed', { verifiedAt: '11-22T02:30' }), backup('11-20T02:00', 'passed', { verifiedAt: '11-22T09:00' })], {
        history: [...threeNights, reverified('11-22T09:00', 'passed', '11-20T02:00')],
      }),
      'FAIL',
      ['crm-db: no valid dump for 58h (limit 24h)', 'crm-db: verify failed 2 times in a row (fail at 2)', 'crm-db: backup success rate 33.3% (1 of 3) over 7d (goal 99%)'],
    ],
    [
      'a failed re-verify of a backup that already failed counts once in the streak',
      input([backup('11-22T02:00', 'failed', { verifiedAt: '11-22T09:00' }), backup('11-20T02:00', 'passed', { verifiedAt: '11-20T02:30' })], {
        history: [...threeNights, reverified('11-22T09:00', 'failed', '11-22T02:00')],
        limits: limits({ rpoHours: 72, verifyMaxAgeHours: 72, successRateGoal: 0 }),
      }),
      'FAIL',
      ['crm-db: verify failed 2 times in a row (fail at 2)'],
    ],
    [
      'backups older than the history count from their verify records',
      input([backup('11-21T02:00', 'failed', { verifiedAt: '11-21T02:30' }), backup('11-20T02:00', 'failed'), backup('11-19T02:00', 'passed')], {
        history: [ran('11-21T02:30', 'failed', '11-21T02:00')],
      }),
      'FAIL',
      [
        'crm-db: no valid dump for 82h (limit 24h)',
        'crm-db: verify failed 2 times in a row (fail at 2)',
        'crm-db: no passed verify for 82h (limit 48h)',
        'crm-db: backup success rate 33.3% (1 of 3) over 7d (goal 99%)',
      ],
    ],
    [
      'runs of other targets and runs never verified do not count',
      input(healthy, { history: [ran('11-22T02:30', 'failed', '11-22T02:00', 'shop-db'), dumpFailed('11-22T03:00', 'shop-db'), ran('11-22T04:00', 'none', '11-22T03:30')] }),
      'OK',
      [],
    ],
  ])('%s', (_name, given, status, reasons) => {
    const report = evaluateHealth(given);
    expect([report.status, report.reasons]).toEqual([status, reasons]);
  });
});

describe('evaluateHealth: last restore duration', () => {
  const verified = backup('11-22T02:00', 'passed', { verifiedAt: '11-22T03:00', restoreSeconds: 42 });
  it.each<[string, DrillRecord[], number | null]>([
    ['the newest passed verify', [], 42],
    ['a newer passed drill', [drill('11-22T04:00', 'passed', 300)], 300],
    ['a tie goes to the drill', [drill('11-22T03:00', 'passed', 300)], 300],
    ['an older drill', [drill('11-21T04:00', 'passed', 300)], 42],
    ['failed drills and other targets do not count', [drill('11-22T04:00', 'failed', 5), drill('11-22T05:00', 'passed', 7, 'shop-db')], 42],
  ])('%s', (_name, drills, expected) => {
    expect(evaluateHealth(input([verified], { drills })).targets[0]!.lastRestoreSeconds).toBe(expected);
  });

  it('falls back to a drill when no verify recorded a duration', () => {
    expect(evaluateHealth(input([backup('11-22T02:00', 'passed')], { drills: [drill('11-20T04:00', 'passed', 90)] })).targets[0]!.lastRestoreSeconds).toBe(90);
  });
});

describe('evaluateHealth: storage', () => {
  it('totals every entry, including targets no longer configured', () => {
    const report = evaluateHealth(input([backup('11-22T02:00', 'passed', { bytes: 10 }), backup('11-22T02:00', 'passed', { target: 'old-db', bytes: 5 })]));
    expect([report.storageBytes, report.targets.map((x) => [x.target, x.storageBytes])]).toEqual([15, [['crm-db', 10]]]);
  });
});

it('rejects a finishedAt that is not a date', () => {
  const broken = { ...backup('11-22T02:00'), id: 'crm-db-x' };
  broken.manifest = { ...broken.manifest, finishedAt: 'soon' };
  expect(() => evaluateHealth(input([broken]))).toThrow('backup crm-db-x: finishedAt is not a date: "soon"');
});
