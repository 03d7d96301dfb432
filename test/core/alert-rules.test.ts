import { describe, expect, it } from 'vitest';
import { alertKey, decideAlert, renderAlertText, rpoAlerts, verifyFailureAlert, type AlertEvent, type AlertState } from '../../src/core/alert-rules.js';
import type { HealthReport, TargetHealth } from '../../src/core/backup-health.js';

const t0 = Date.parse('2026-11-22T02:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(t0 + ms);

const backupFailed: AlertEvent = { kind: 'backup-failed', subject: 'crm-db', cause: 'password authentication failed for user "ops"', runUrl: 'http://temporal:8233/run/1' };
const shopFailed: AlertEvent = { kind: 'backup-failed', subject: 'shop-db', cause: 'disk full' };

describe('alertKey', () => {
  it.each<[AlertEvent, string]>([
    [backupFailed, 'backup-failed:crm-db'],
    [{ kind: 'schedule-missed', subject: 'nightly-backup', cause: '' }, 'schedule-missed:nightly-backup'],
  ])('%j -> %s', (event, expected) => {
    expect(alertKey(event)).toBe(expected);
  });
});

describe('decideAlert', () => {
  it('sends, suppresses twice, then sends with the count once the limit has passed', () => {
    const steps: Array<[number, AlertEvent]> = [
      [0, backupFailed],
      [10 * MINUTE, backupFailed],
      [20 * MINUTE, shopFailed],
      [59 * MINUTE + 59_999, backupFailed],
      [HOUR, backupFailed],
      [HOUR + MINUTE, backupFailed],
    ];
    let state: AlertState = {};
    const seen = steps.map(([offset, event]) => {
      const decision = decideAlert(event, state, at(offset), HOUR);
      state = decision.nextState;
      return { ...decision, nextState: undefined, text: decision.send ? renderAlertText(event, decision.suppressed) : null };
    });
    const link = '<http://temporal:8233/run/1|run>';
    expect(seen).toEqual([
      { send: true, suppressed: 0, nextState: undefined, text: `:rotating_light: Backup failed: crm-db — password authentication failed for user "ops" ${link}` },
      { send: false, suppressed: 1, suppressedSince: '2026-11-22T02:00:00.000Z', nextState: undefined, text: null },
      { send: true, suppressed: 0, nextState: undefined, text: ':rotating_light: Backup failed: shop-db — disk full' },
      { send: false, suppressed: 2, suppressedSince: '2026-11-22T02:00:00.000Z', nextState: undefined, text: null },
      {
        send: true,
        suppressed: 2,
        suppressedSince: '2026-11-22T02:00:00.000Z',
        nextState: undefined,
        text: `:rotating_light: Backup failed: crm-db — password authentication failed for user "ops" ${link} (2 repeats suppressed)`,
      },
      { send: false, suppressed: 1, suppressedSince: '2026-11-22T03:00:00.000Z', nextState: undefined, text: null },
    ]);
    expect(state).toEqual({
      'backup-failed:crm-db': { lastSentAt: '2026-11-22T03:00:00.000Z', suppressed: 1 },
      'backup-failed:shop-db': { lastSentAt: '2026-11-22T02:20:00.000Z', suppressed: 0 },
    });
  });

  it.each<[string, AlertState, number, boolean]>([
    ['never sent', {}, 0, true],
    ['sent 1ms short of the limit', { 'backup-failed:crm-db': { lastSentAt: '2026-11-22T01:00:00.001Z', suppressed: 0 } }, 0, false],
    ['sent exactly the limit ago', { 'backup-failed:crm-db': { lastSentAt: '2026-11-22T01:00:00.000Z', suppressed: 0 } }, 0, true],
    ['sent "later" than now (clock went back)', { 'backup-failed:crm-db': { lastSentAt: '2026-11-22T02:05:00.000Z', suppressed: 0 } }, 0, false],
    ['a damaged lastSentAt does not silence the alert', { 'backup-failed:crm-db': { lastSentAt: 'garbage', suppressed: 3 } }, 0, true],
    ['a zero limit always sends', { 'backup-failed:crm-db': { lastSentAt: '2026-11-22T02:00:00.000Z', suppressed: 0 } }, -HOUR, true],
  ])('%s', (_name, state, limitOffset, send) => {
    expect(decideAlert(backupFailed, state, at(0), HOUR + limitOffset).send).toBe(send);
  });

  it('does not change the state it is given', () => {
    const state: AlertState = { 'backup-failed:crm-db': { lastSentAt: '2026-11-22T01:30:00.000Z', suppressed: 0 } };
    decideAlert(backupFailed, state, at(0), HOUR);
    expect(state).toEqual({ 'backup-failed:crm-db': { lastSentAt: '2026-11-22T01:30:00.000Z', suppressed: 0 } });
  });

  it.each([-1, Number.NaN])('rejects a rate limit of %d', (limit) => {
    expect(() => decideAlert(backupFailed, {}, at(0), limit)).toThrow(`rateLimitMs must be a finite number >= 0, got ${limit}`);
  });
});

describe('renderAlertText', () => {
  const ev = (kind: AlertEvent['kind'], cause: string, runUrl?: string): AlertEvent => ({ kind, subject: 'crm-db', cause, ...(runUrl ? { runUrl } : {}) });
  it.each<[string, AlertEvent, number, string]>([
    ['verify failed repeatedly', ev('verify-failed-repeatedly', 'verify failed 2 times in a row: row counts differ'), 0, ':rotating_light: Verify-restore failed repeatedly: crm-db — verify failed 2 times in a row: row counts differ'],
    ['rpo exceeded', ev('rpo-exceeded', 'no valid dump for 26h (limit 24h)'), 0, ':rotating_light: RPO exceeded: crm-db — no valid dump for 26h (limit 24h)'],
    ['offsite failed', ev('offsite-failed', 'rclone exited 5', 'http://x/run'), 0, ':warning: Offsite copy failed: crm-db — rclone exited 5 <http://x/run|run>'],
    ['drill failed', ev('drill-failed', 'row counts differ'), 1, ':rotating_light: Restore drill failed: crm-db — row counts differ (1 repeat suppressed)'],
    ['deploy failed', { kind: 'deploy-failed', subject: 'shop', cause: 'health check timed out on web-1' }, 0, ':x: Deploy failed: shop — health check timed out on web-1'],
    ['deploy rolled back', { kind: 'deploy-rolled-back', subject: 'shop', cause: 'failed on production' }, 0, ':leftwards_arrow_with_hook: Deploy rolled back: shop — failed on production'],
    ['schedule missed', { kind: 'schedule-missed', subject: 'nightly-backup', cause: 'last run 26h ago' }, 0, ':alarm_clock: Schedule missed: nightly-backup — last run 26h ago'],
    ['no cause', ev('backup-failed', '  '), 0, ':rotating_light: Backup failed: crm-db'],
    ['a multi-line cause is folded onto one line', ev('backup-failed', 'pg_dump: error:\n  connection refused\n'), 0, ':rotating_light: Backup failed: crm-db — pg_dump: error: connection refused'],
    ["Slack's control characters are escaped", { kind: 'backup-failed', subject: 'a<b>', cause: 'x < y & z > 0 <!channel>' }, 0, ':rotating_light: Backup failed: a&lt;b&gt; — x &lt; y &amp; z &gt; 0 &lt;!channel&gt;'],
  ])('%s', (_name, event, suppressed, expected) => {
    expect(renderAlertText(event, suppressed)).toBe(expected);
  });

  it.each([
    ['Europe/Prague', '(2 repeats suppressed since 2026-11-22 03:00:00 +01:00)'],
    ['UTC', '(2 repeats suppressed since 2026-11-22 02:00:00 +00:00)'],
  ])('says since when repeats were suppressed, in the configured zone (%s)', (timeZone, tail) => {
    expect(renderAlertText(ev('backup-failed', 'disk full'), 2, { at: '2026-11-22T02:00:00.000Z', timeZone })).toBe(`:rotating_light: Backup failed: crm-db — disk full ${tail}`);
  });

  it('cuts a long cause to 300 characters', () => {
    expect(renderAlertText(ev('backup-failed', 'x'.repeat(301)), 0)).toBe(`:rotating_light: Backup failed: crm-db — ${'x'.repeat(299)}…`);
    expect(renderAlertText(ev('backup-failed', 'x'.repeat(300)), 0)).toBe(`:rotating_light: Backup failed: crm-db — ${'x'.repeat(300)}`);
  });
});

describe('verifyFailureAlert', () => {
  it.each<[number, number, boolean]>([
    [0, 2, false],
    [1, 2, false],
    [2, 2, true],
    [3, 2, false],
    [4, 2, true],
    [6, 2, true],
    [1, 1, true],
    [2, 1, true],
    [2, 3, false],
    [3, 3, true],
    [5, 3, false],
    [6, 3, true],
  ])('%d failures, threshold %d -> %s', (failures, threshold, expected) => {
    expect(verifyFailureAlert(failures, threshold)).toBe(expected);
  });

  it.each([0, 1.5, -2])('rejects threshold %d', (threshold) => {
    expect(() => verifyFailureAlert(2, threshold)).toThrow(`threshold must be an integer >= 1, got ${threshold}`);
  });
});

describe('rpoAlerts', () => {
  const target = (name: string, findings: TargetHealth['findings']): TargetHealth => ({
    target: name, status: findings.length ? 'FAIL' : 'OK', findings, backups: 1, validDumpAgeHours: null, passedVerifyAgeHours: null,
    backupSuccessRate7d: null, verifySuccessRate7d: null, lastRestoreSeconds: null, consecutiveVerifyFailures: 0, storageBytes: 0,
  });
  const report = (targets: TargetHealth[]): HealthReport => ({ status: 'FAIL', reasons: [], targets, storageBytes: 0 });

  it.each<[string, HealthReport, string | undefined, AlertEvent[]]>([
    ['no targets', report([]), undefined, []],
    [
      'only rpo findings, in target order',
      report([
        target('crm-db', [{ check: 'rpo', status: 'FAIL', message: 'no valid dump for 26h (limit 24h)' }, { check: 'storage', status: 'FAIL', message: 'storage 3 KiB over cap 2 KiB' }]),
        target('files', []),
        target('shop-db', [{ check: 'verify-failures', status: 'FAIL', message: 'verify failed 2 times in a row (fail at 2)' }]),
        target('new-db', [{ check: 'rpo', status: 'FAIL', message: 'no backup yet' }]),
      ]),
      undefined,
      [
        { kind: 'rpo-exceeded', subject: 'crm-db', cause: 'no valid dump for 26h (limit 24h)' },
        { kind: 'rpo-exceeded', subject: 'new-db', cause: 'no backup yet' },
      ],
    ],
    [
      'each linking to the watchdog run that found it',
      report([target('crm-db', [{ check: 'rpo', status: 'FAIL', message: 'no backup yet' }]), target('files', [])]),
      'http://temporal:8233/namespaces/default/workflows/backup-watchdog-1/r1/history',
      [{ kind: 'rpo-exceeded', subject: 'crm-db', cause: 'no backup yet', runUrl: 'http://temporal:8233/namespaces/default/workflows/backup-watchdog-1/r1/history' }],
    ],
  ])('%s', (_name, health, runUrl, expected) => {
    expect(rpoAlerts(health, runUrl)).toStrictEqual(expected);
  });
});
