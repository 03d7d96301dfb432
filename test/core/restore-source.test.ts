import { describe, expect, it } from 'vitest';
import type { BackupEntry } from '../../src/core/backup-record.js';
import type { RestorePick } from '../../src/core/restore-pick.js';
import { parseRestoreSource, pickOffsiteCopy, type RestoreSource } from '../../src/core/restore-source.js';

describe('parseRestoreSource', () => {
  it.each<[string, RestoreSource | undefined]>([
    ['local', { local: true }],
    ['offsite', { offsite: true }],
    ['offsite:s3://bucket/ops at http://127.0.0.1:7070', { offsite: true, destination: 's3://bucket/ops at http://127.0.0.1:7070' }],
    ['offsite:/srv/offsite', { offsite: true, destination: '/srv/offsite' }],
    ['offsite:', undefined],
    ['remote', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(parseRestoreSource(text)).toEqual(expected);
  });
});

/** What the local repository still records of crm-db's backup at `stamp`: only its verify status matters here. */
function local(stamp: string, verify: 'passed' | 'failed', target = 'crm-db'): BackupEntry {
  const id = `${target}-${stamp}`;
  return {
    id, target, stamp, dir: `/repo/${target}/${stamp}`,
    manifest: { formatVersion: 1, id, target, kind: 'postgres', artifact: 'dump.pgc', startedAt: '', finishedAt: '', bytes: 1, sha256: 'abc', toolVersions: {} },
    verify: { status: verify, startedAt: '', restoredInto: 'v', reasons: [], rowCountDifferences: [] },
  };
}

describe('pickOffsiteCopy', () => {
  const stamps = ['20261121T020000Z', '20261120T020000Z', '20261122T020000Z'];
  const where = '/srv/offsite';

  it.each<[string, string[], BackupEntry[], RestorePick, string]>([
    ['--latest with an empty repository: the newest copy', stamps, [], { latest: true }, '20261122T020000Z'],
    ['--latest skips a copy whose backup failed verify locally', stamps, [local('20261122T020000Z', 'failed'), local('20261121T020000Z', 'passed')], { latest: true }, '20261121T020000Z'],
    ['another target failing verify changes nothing', stamps, [local('20261122T020000Z', 'failed', 'shop-db')], { latest: true }, '20261122T020000Z'],
    ['--latest with no copies', [], [], { latest: true }, 'none: no copies of crm-db at /srv/offsite'],
    ['--latest with only failed ones', ['20261122T020000Z'], [local('20261122T020000Z', 'failed')], { latest: true }, 'none: no copy of crm-db at /srv/offsite whose backup did not fail verify'],
    ['--before: the newest copy whose stamp is before the time', stamps, [], { before: '2026-11-21T12:00:00Z' }, '20261121T020000Z'],
    ['--before is strict', stamps, [], { before: '2026-11-21T02:00:00Z' }, '20261120T020000Z'],
    ['--before earlier than every copy', stamps, [], { before: '2026-11-01T00:00:00Z' }, 'none: no copy of crm-db at /srv/offsite taken before 2026-11-01 00:00:00 +00:00 (the oldest is crm-db-20261120T020000Z)'],
    ['--backup present', stamps, [], { backupId: 'crm-db-20261120T020000Z' }, '20261120T020000Z'],
    ['--backup even if it failed verify locally: the user chose it', stamps, [local('20261120T020000Z', 'failed')], { backupId: 'crm-db-20261120T020000Z' }, '20261120T020000Z'],
    ['--backup not there', stamps, [], { backupId: 'crm-db-20261119T020000Z' }, 'none: no copy of crm-db-20261119T020000Z at /srv/offsite'],
    ['--backup of another target', stamps, [], { backupId: 'shop-db-20261120T020000Z' }, 'none: backup shop-db-20261120T020000Z is not a backup of crm-db'],
  ])('%s', (_name, listed, entries, pick, expected) => {
    const result = pickOffsiteCopy(listed, entries, 'crm-db', pick, where, 'UTC');
    expect('stamp' in result ? result.stamp : `none: ${result.none}`).toBe(expected);
  });
});
