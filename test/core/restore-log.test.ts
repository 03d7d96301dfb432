import { describe, expect, it } from 'vitest';
import { formatRestoreLogLine, lastRtoSeconds, parseRestoreLog, restoreLogEntry, type RestoreLogEntry } from '../../src/core/restore-log.js';
import type { RestoreRecord } from '../../src/core/restore-report.js';

const entry = (target: string, status: RestoreLogEntry['status'], finishedAt: string, rtoSeconds?: number): RestoreLogEntry => ({
  workflowId: `restore-${target}-${finishedAt}`, target, status, startedAt: '2026-12-01T00:00:00.000Z', finishedAt, ...(rtoSeconds !== undefined ? { rtoSeconds } : {}),
});

describe('restore log', () => {
  it('keeps what metrics and status read of a record, not its checks or report', () => {
    const record: RestoreRecord = {
      workflowId: 'restore-crm-1', target: 'crm', pick: '--latest', status: 'passed', startedAt: '2026-12-01T10:00:00.000Z', finishedAt: '2026-12-01T10:01:13.250Z',
      backupId: 'crm-20261201T020000Z', database: 'crm_restored_1', server: 'postgres://ops@db2:5432/', kept: true, restoreSeconds: 60, rtoSeconds: 73.25,
      checks: [{ check: 'table count', passed: true, detail: 'manifest 3, restored 3' }], reasons: [], report: '/r/restore-crm.md',
    };
    expect(formatRestoreLogLine(restoreLogEntry(record))).toBe(
      '{"workflowId":"restore-crm-1","target":"crm","status":"passed","startedAt":"2026-12-01T10:00:00.000Z","finishedAt":"2026-12-01T10:01:13.250Z","backupId":"crm-20261201T020000Z","database":"crm_restored_1","server":"postgres://ops@db2:5432/","rtoSeconds":73.25}\n',
    );
  });

  it('parses lines back, skipping a torn last line and lines that are not entries', () => {
    const one = entry('crm', 'passed', '2026-12-01T10:00:00.000Z', 12);
    expect(parseRestoreLog(`${formatRestoreLogLine(one)}{"target":"crm"}\n{"workflowId":"x","tar`)).toEqual([one]);
  });

  it.each([
    ['no restore', [], null],
    ['only failed ones', [entry('crm', 'failed', '2026-12-01T10:00:00.000Z')], null],
    ['the newest passed, by finish time, not file order', [entry('crm', 'passed', '2026-12-02T10:00:00.000Z', 40), entry('crm', 'passed', '2026-12-01T10:00:00.000Z', 90)], 40],
    ['a failed one after a passed one keeps the passed RTO', [entry('crm', 'passed', '2026-12-01T10:00:00.000Z', 90), entry('crm', 'failed', '2026-12-03T10:00:00.000Z')], 90],
    ['other targets do not count', [entry('web', 'passed', '2026-12-01T10:00:00.000Z', 5)], null],
  ] as const)('last RTO of crm: %s', (_name, entries, expected) => {
    expect(lastRtoSeconds([...entries], 'crm')).toBe(expected);
  });
});
