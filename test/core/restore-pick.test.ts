import { describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src/core/backup-record.js';
import { databaseNameProblem, describePick, keptDatabaseName, parseBeforeTime, pickBackupForRestore, restoredDatabaseName, type RestorePick } from '../../src/core/restore-pick.js';

/** A backup named <target>-<stamp>, finished at `finished` (MM-DDTHH:MM of 2026), verified unless told otherwise. */
function b(finished: string, opts: { target?: string; verify?: 'passed' | 'failed' | 'running' | 'none' } = {}): BackupEntry {
  const target = opts.target ?? 'crm-db';
  const finishedAt = `2026-${finished}:00Z`;
  const stamp = finishedAt.replace(/[-:]/g, '');
  const id = `${target}-${stamp}`;
  const verify = opts.verify ?? 'passed';
  return {
    id,
    target,
    stamp,
    dir: `/repo/${target}/${stamp}`,
    manifest: { formatVersion: 1, id, target, kind: 'postgres', artifact: 'dump.pgc', startedAt: finishedAt, finishedAt, bytes: 1, sha256: 'abc', toolVersions: {} },
    ...(verify === 'none' ? {} : { verify: { status: verify, startedAt: finishedAt, restoredInto: 'v', reasons: [], rowCountDifferences: [] } }),
  };
}

const pickOf = (entries: BackupEntry[], pick: RestorePick, timeZone = 'UTC') => {
  const result = pickBackupForRestore(entries, 'crm-db', pick, timeZone);
  return 'entry' in result ? result.entry.id : `none: ${result.none}`;
};

describe('pickBackupForRestore', () => {
  const nov20 = b('11-20T02:00');
  const nov21 = b('11-21T02:00');
  const nov22failed = b('11-22T02:00', { verify: 'failed' });
  const other = b('11-23T02:00', { target: 'shop-db' });

  it.each<[string, BackupEntry[], RestorePick, string, string?]>([
    ['--latest: the newest verified backup, a newer failed one skipped', [nov20, nov22failed, nov21], { latest: true }, nov21.id],
    ['--latest ignores other targets', [nov20, other], { latest: true }, nov20.id],
    ['--latest takes only passed verifies', [b('11-21T02:00', { verify: 'running' }), b('11-22T02:00', { verify: 'none' }), nov20], { latest: true }, nov20.id],
    ['--latest with no backups of the target', [other], { latest: true }, 'none: no backups of crm-db in the repository'],
    ['--latest with none verified', [nov22failed, b('11-23T02:00', { verify: 'none' })], { latest: true }, 'none: no verified backup of crm-db: none of its 2 backup(s) passed verify'],
    ['--before: the newest verified one finished before the time', [nov20, nov21, nov22failed], { before: '2026-11-21T12:00:00Z' }, nov21.id],
    ['--before is strict: one finished at that instant is not before it', [nov20, nov21], { before: '2026-11-21T02:00:00Z' }, nov20.id],
    ['--before with an offset', [nov20, nov21], { before: '2026-11-21T03:30:00+01:00' }, nov21.id],
    ['--before earlier than every verified backup', [nov20, nov21], { before: '2026-11-19T00:00:00Z' }, 'none: no verified backup of crm-db finished before 2026-11-19 00:00:00 +00:00 (the oldest finished 2026-11-20 02:00:00 +00:00)'],
    ['--before names the times in the configured zone', [nov20], { before: '2026-11-19T00:00:00Z' }, 'none: no verified backup of crm-db finished before 2026-11-19 01:00:00 +01:00 (the oldest finished 2026-11-20 03:00:00 +01:00)', 'Europe/Prague'],
    ['--before that is not an ISO time', [nov20], { before: 'yesterday' }, 'none: --before "yesterday" is not an ISO time such as 2026-12-01T08:00:00Z'],
    ['--before without a zone', [nov20], { before: '2026-11-21T08:00:00' }, 'none: --before "2026-11-21T08:00:00" has no time zone, so it is not one instant: add Z or an offset, e.g. 2026-11-21T08:00:00Z or 2026-11-21T08:00:00+01:00'],
    ['--backup ID: that backup, even one whose verify failed', [nov20, nov22failed], { backupId: nov22failed.id }, nov22failed.id],
    ['--backup ID that is not in the repository', [nov20], { backupId: 'crm-db-20261101T020000Z' }, 'none: no backup crm-db-20261101T020000Z of crm-db in the repository'],
    ['--backup ID of another target', [nov20, other], { backupId: other.id }, `none: backup ${other.id} is not a backup of crm-db`],
  ])('%s', (_name, entries, pick, expected, timeZone) => {
    expect(pickOf(entries, pick, timeZone)).toBe(expected);
  });
});

describe('parseBeforeTime', () => {
  it.each<[string, string | undefined]>([
    ['2026-12-01T08:00:00Z', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T08:00Z', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T09:00:00.5+01:00', '2026-12-01T08:00:00.500Z'],
    ['2026-12-01T08:00:00', undefined],
    ['2026-12-01', undefined],
    ['2026-13-01T08:00:00Z', undefined],
    ['last tuesday', undefined],
  ])('%s', (text, expected) => {
    expect(parseBeforeTime(text)?.toISOString()).toBe(expected);
  });
});

describe('restore names', () => {
  it.each<[string, string, string]>([
    ['app', '20261207T004205Z', 'app_restored_20261207t004205z'],
    ['a'.repeat(60), '20261207T004205Z', `${'a'.repeat(37)}_restored_20261207t004205z`],
  ])('restoredDatabaseName(%s, %s)', (db, stamp, expected) => {
    expect(restoredDatabaseName(db, stamp)).toBe(expected);
    expect(expected.length).toBeLessThanOrEqual(63);
  });

  it.each<[string, string, string]>([
    ['crm', '20261201T080000Z', 'crm_before_restore_20261201t080000z'],
    ['d'.repeat(60), '20261201T080000Z', `${'d'.repeat(31)}_before_restore_20261201t080000z`],
  ])('keptDatabaseName(%s, %s)', (db, stamp, expected) => {
    expect(keptDatabaseName(db, stamp)).toBe(expected);
    expect(expected.length).toBeLessThanOrEqual(63);
  });

  it.each<[string, string | undefined]>([
    ['app_restored', undefined],
    ['_x9', undefined],
    ['9app', 'database name "9app" must be letters, digits and _, not starting with a digit'],
    ['app-copy', 'database name "app-copy" must be letters, digits and _, not starting with a digit'],
    ['a; DROP', 'database name "a; DROP" must be letters, digits and _, not starting with a digit'],
    ['a'.repeat(64), `database name "${'a'.repeat(64)}" is longer than 63 characters`],
  ])('databaseNameProblem(%s)', (name, expected) => {
    expect(databaseNameProblem(name)).toBe(expected);
  });

  it.each<[RestorePick, string]>([
    [{ latest: true }, '--latest'],
    [{ before: '2026-12-01T08:00:00Z' }, '--before 2026-12-01T08:00:00Z'],
    [{ backupId: 'crm-db-20261120T020000Z' }, '--backup crm-db-20261120T020000Z'],
  ])('describePick %j', (pick, expected) => {
    expect(describePick(pick)).toBe(expected);
  });
});
