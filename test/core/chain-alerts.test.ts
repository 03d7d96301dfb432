import { describe, expect, it } from 'vitest';
import type { TargetOutcome } from '../../src/contracts/backup.js';
import type { HealthReport, TargetHealth } from '../../src/core/backup-health.js';
import { chainAlerts } from '../../src/core/chain-alerts.js';

const healthy = (target: string, over: Partial<TargetHealth> = {}): TargetHealth => ({
  target, status: 'OK', findings: [], backups: 3, validDumpAgeHours: 1, passedVerifyAgeHours: 1, backupSuccessRate7d: 1,
  verifySuccessRate7d: 1, lastRestoreSeconds: 2, consecutiveVerifyFailures: 0, storageBytes: 10, ...over,
});
const report = (...targets: TargetHealth[]): HealthReport => ({ status: 'OK', reasons: [], targets, storageBytes: 0 });
const URL = 'http://ui/run';

describe('chainAlerts', () => {
  it.each<[string, TargetOutcome[], HealthReport, Array<{ kind: string; subject: string }>]>([
    ['all well: nothing', [], report(healthy('db')), []],
    ['a failed dump is "backup failed"', [{ target: 'db', error: 'db: password authentication failed', failedStep: 'dump' }], report(healthy('db')), [{ kind: 'backup-failed', subject: 'db' }]],
    ['a failed offsite copy is "offsite failed"', [{ target: 'db', error: 'db: offsite copy failed: refused', failedStep: 'offsite' }], report(healthy('db')), [{ kind: 'offsite-failed', subject: 'db' }]],
    [
      'several destinations: each failed copy is its own "offsite failed", named by target and destination',
      [{ target: 'db', error: 'db: offsite copy to s3://a failed: x; offsite copy to /b failed: y', failedStep: 'offsite', offsiteFailures: [{ destination: 's3://a', error: 'x' }, { destination: '/b', error: 'y' }] }],
      report(healthy('db')),
      [{ kind: 'offsite-failed', subject: 'db → s3://a' }, { kind: 'offsite-failed', subject: 'db → /b' }],
    ],
    ['one verify failure alone: no alert yet', [{ target: 'db', error: 'db: verify failed: checksum', failedStep: 'verify' }], report(healthy('db', { consecutiveVerifyFailures: 1 })), []],
    ['the second verify failure in a row alerts', [{ target: 'db', error: 'db: verify failed: checksum', failedStep: 'verify' }], report(healthy('db', { consecutiveVerifyFailures: 2 })), [{ kind: 'verify-failed-repeatedly', subject: 'db' }]],
    [
      'a target past its RPO alerts even when the run did not touch it',
      [],
      report(healthy('files', { status: 'FAIL', findings: [{ check: 'rpo', status: 'FAIL', message: 'no valid dump for 30h (limit 24h)' }] })),
      [{ kind: 'rpo-exceeded', subject: 'files' }],
    ],
  ])('%s', (_name, failed, health, expected) => {
    const events = chainAlerts(failed, health, 2, URL);
    expect(events.map(({ kind, subject }) => ({ kind, subject }))).toEqual(expected);
    for (const event of events) expect(event.runUrl).toBe(URL);
  });

  it('the cause is the target\'s own error message', () => {
    const [event] = chainAlerts([{ target: 'db', error: 'db: missing database "x"', failedStep: 'dump' }], report(healthy('db')), 2);
    expect(event).toEqual({ kind: 'backup-failed', subject: 'db', cause: 'db: missing database "x"' });
  });
});
