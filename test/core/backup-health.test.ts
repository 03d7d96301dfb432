import { describe, expect, it } from 'vitest';
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

function backup(finished: string, verify?: 'passed' | 'failed' | 'running', opts: Opts = {}): BackupEntry {
  const target = opts.target ?? 'crm-db';
  const finishedAt = t(finished);
  const id = `${target}-${finishedAt}`;
  return {
    id,
    target,
    stamp: finishedAt,
    dir: `/repo/${target}/${finishedAt}`,
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

function input(entries: BackupEntry[], more: Partial<HealthInput> = {}): HealthInput {
  return { targets: ['crm-db'], entries, drills: [], now, limits: DEFAULT_HEALTH_LIMITS, ...more };
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
        { failedRuns: [{ target: 'crm-db', at: t('11-19T02:00') }, { target: 'crm-db', at: t('11-15T11:59') }, { target: 'other', at: t('11-20T02:00') }] },
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
      input([backup('11-22T02:00', 'passed')], { failedRuns: [{ target: 'crm-db', at: t('11-20T02:00') }], limits: limits({ successRateGoal: 0.5 }) }),
      'OK',
      [],
    ],
    [
      'a failed run exactly 7 days ago counts, a millisecond older does not',
      input([backup('11-22T02:00', 'passed')], { failedRuns: [{ target: 'crm-db', at: t('11-15T12:00') }, { target: 'crm-db', at: '2026-11-15T11:59:59.999Z' }] }),
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
