import { describe, expect, it } from 'vitest';
import { clipReason, consecutiveVerifyFailures, formatRunRecordLine, parseRunRecords, type BackupRunRecord, type RunVerdict } from '../../src/core/backup-history.js';

const dumped: BackupRunRecord = { at: '2026-11-22T02:31:00.000Z', target: 'crm-db', kind: 'backup', backupId: 'crm-db-20261122T020000Z', dump: 'ok', verify: 'passed', workflowId: 'w', runId: 'r' };
const dumpFailed: BackupRunRecord = { at: '2026-11-23T02:00:05.000Z', target: 'crm-db', kind: 'backup', dump: 'failed', verify: 'none', reason: 'crm-db: password authentication failed' };
const reverified: BackupRunRecord = { at: '2026-11-23T09:00:00.000Z', target: 'crm-db', kind: 'verify', backupId: 'crm-db-20261122T020000Z', verify: 'failed', reason: 'checksum mismatch' };

describe('run history lines', () => {
  it('formats one record as one JSON line', () => {
    expect(formatRunRecordLine(dumpFailed)).toBe(
      '{"at":"2026-11-23T02:00:05.000Z","target":"crm-db","kind":"backup","dump":"failed","verify":"none","reason":"crm-db: password authentication failed"}\n',
    );
  });

  it.each<[string, string, BackupRunRecord[]]>([
    ['empty', '', []],
    ['whole lines, in file order', [dumped, dumpFailed, reverified].map(formatRunRecordLine).join(''), [dumped, dumpFailed, reverified]],
    ['a torn last line after a crash', `${formatRunRecordLine(dumped)}{"at":"2026-11-23T02:00:05.000Z","target":"crm`, [dumped]],
    ['a record glued after a fresh line, blank lines, a hand-written note', `{"at":"2026\n${formatRunRecordLine(dumped)}\n# checked by hand\n`, [dumped]],
    ['a dump that failed yet names a backup', JSON.stringify({ ...dumpFailed, backupId: 'crm-db-20261122T020000Z' }), []],
    ['a dump that failed yet was verified', JSON.stringify({ ...dumpFailed, verify: 'failed' }), []],
    ['a dumped backup without its id', JSON.stringify({ ...dumped, backupId: undefined }), []],
    ['a backup id of another target', JSON.stringify({ ...dumped, backupId: 'shop-db-20261122T020000Z' }), []],
    ['a backup id with no real instant', JSON.stringify({ ...dumped, backupId: 'crm-db-20261322T020000Z' }), []],
    ['a re-verify without a verdict', JSON.stringify({ ...reverified, verify: 'none' }), []],
    ['a re-verify with a dump', JSON.stringify({ ...reverified, dump: 'ok' }), []],
    ['a verify still running', JSON.stringify({ ...dumped, verify: 'running' }), []],
    ['an unknown kind', JSON.stringify({ ...dumped, kind: 'drill' }), []],
    ['an at that is not a date', JSON.stringify({ ...dumped, at: 'yesterday' }), []],
    ['a reason that is not text', JSON.stringify({ ...dumpFailed, reason: 42 }), []],
    ['not an object', 'null\n[1]\n"x"', []],
  ])('parses %s', (_name, text, expected) => {
    expect(parseRunRecords(text)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['crm-db: password authentication failed', 'crm-db: password authentication failed'],
    ['  pg_dump failed (exit 1): connection refused\n    at Socket.connect\n', 'pg_dump failed (exit 1): connection refused'],
    ['x'.repeat(300), 'x'.repeat(300)],
    ['x'.repeat(301), `${'x'.repeat(299)}…`],
  ])('clips the reason %#', (reason, expected) => {
    expect(clipReason(reason)).toBe(expected);
  });
});

describe('consecutiveVerifyFailures', () => {
  const v = (backupId: string, backupAt: number, at: number, passed: boolean): RunVerdict => ({ backupId, backupAt, at, passed });
  it.each<[string, RunVerdict[], number]>([
    ['no verdicts', [], 0],
    ['newest passed', [v('b', 2, 3, true), v('a', 1, 2, false)], 0],
    ['failures up to the first pass, whatever order they come in', [v('a', 1, 2, true), v('c', 3, 4, false), v('b', 2, 3, false)], 2],
    ['all failed', [v('a', 1, 2, false), v('b', 2, 3, false), v('c', 3, 4, false)], 3],
    ['a backup judged twice counts once, by its latest verdict', [v('a', 1, 2, true), v('b', 2, 3, false), v('b', 2, 9, false)], 1],
    ['a later pass of the newest backup ends the run', [v('a', 1, 2, false), v('b', 2, 3, false), v('b', 2, 9, true)], 0],
    ['a later pass of an older backup does not', [v('a', 1, 2, false), v('b', 2, 3, false), v('a', 1, 9, true)], 1],
    ['backups stamped at the same instant order by id', [v('a', 1, 2, true), v('b', 1, 2, false)], 1],
  ])('%s', (_name, verdicts, expected) => {
    expect(consecutiveVerifyFailures(verdicts)).toBe(expected);
  });
});
