import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/activities/backup/apply-retention.js';
import { BackupRepository, removalName } from '../../src/records/backup-repository.js';
import { parseConfig } from '../../src/config/load-config.js';
import { freePort } from '../../src/local-servers/free-port.js';
import type { BackupManifest, VerifyRecord } from '../../src/core/backup-record.js';
import { testServers } from '../support/servers.js';

/** Retention on a real repository and a real offsite directory (a path, or the same path through the test sshd): which directories are gone afterwards. */
describe('applyRetention', () => {
  const dirs: string[] = [];
  let closedPort = 0;
  beforeAll(async () => {
    closedPort = await freePort();
  });
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function world(offsite: 'local' | 'ssh' | ((dir: string) => string)) {
    const dir = mkdtempSync(join(testServers().scratchRoot, 'retention-'));
    dirs.push(dir);
    const { sshd } = testServers();
    const offsiteUrl =
      typeof offsite === 'function' ? offsite(dir) : offsite === 'ssh' ? `ssh://${sshd.user}@${sshd.host}:${sshd.port}${dir}/offsite` : `${dir}/offsite`;
    const config = parseConfig(
      [
        `repository: ${dir}/repo`,
        'timeZone: UTC',
        `ssh: { identityFile: ${sshd.identityFile}, knownHostsFile: ${sshd.knownHostsFile} }`,
        'files:',
        `  - { name: docs, source: ${dir}/src }`,
        'backup:',
        `  offsite: ${offsiteUrl}`,
        '  retention: { daily: 3, weekly: 0, monthly: 0, keepLast: 0 }',
      ].join('\n'),
      join(dir, 'ops.config.yaml'),
      {},
    );
    return { dir, config, offsiteDir: join(dir, 'offsite', 'docs') };
  }

  function writeBackup(root: string, stamp: string, verify: VerifyRecord['status'] | undefined, tag?: BackupManifest['tag']): void {
    const backupDir = join(root, 'docs', stamp);
    mkdirSync(join(backupDir, 'snapshot'), { recursive: true });
    const finishedAt = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
    const manifest: BackupManifest = {
      formatVersion: 1, id: `docs-${stamp}`, target: 'docs', kind: 'files', artifact: 'snapshot',
      startedAt: finishedAt, finishedAt, bytes: 0, sha256: 'e3b0', toolVersions: {}, files: [],
      ...(tag ? { trigger: 'manual' as const, tag } : {}),
    };
    writeFileSync(join(backupDir, 'manifest.json'), JSON.stringify(manifest));
    if (verify) writeFileSync(join(backupDir, 'verify.json'), JSON.stringify({ status: verify, startedAt: finishedAt, restoredInto: '', reasons: [], rowCountDifferences: [] }));
  }

  it.each(['local', 'ssh'] as const)(
    'keeps the newest usable backup of each of the last 3 days, the newest, the newest verified and running verifies, locally and offsite (%s)',
    async (offsite) => {
      const { config, offsiteDir } = world(offsite);
      const history: Array<[string, VerifyRecord['status'] | undefined]> = [
        ['20261110T020000Z', 'running'],
        ['20261111T020000Z', 'passed'],
        ['20261118T020000Z', 'passed'],
        ['20261119T020000Z', 'passed'],
        ['20261120T020000Z', 'passed'],
        ['20261120T140000Z', 'passed'],
        ['20261121T020000Z', 'failed'],
        ['20261122T020000Z', 'failed'],
      ];
      for (const [stamp, verify] of history) {
        writeBackup(config.repository, stamp, verify);
        mkdirSync(join(offsiteDir, stamp, 'snapshot'), { recursive: true });
        writeFileSync(join(offsiteDir, stamp, 'manifest.json'), '{}');
      }
      mkdirSync(join(offsiteDir, '20261001T020000Z'), { recursive: true });
      // An offsite removal cut short after its rename, and a copy in progress (copyOffsite's partial) that is not retention's to touch.
      mkdirSync(join(offsiteDir, removalName('20260901T020000Z'), 'snapshot'), { recursive: true });
      mkdirSync(join(offsiteDir, '.partial-20261123T020000Z'), { recursive: true });

      const [result] = await applyRetention(config, new BackupRepository(config.repository), { targets: ['docs'] });

      // A failed verify takes no daily slot: the last 3 days with usable backups are the 18th to the 20th.
      const remaining = ['20261110T020000Z', '20261118T020000Z', '20261119T020000Z', '20261120T140000Z', '20261122T020000Z'];
      // Nothing under a deleted backup's name and no partial of a removal, locally or offsite.
      expect(readdirSync(join(config.repository, 'docs')).sort()).toEqual(remaining);
      expect(result).toEqual({
        target: 'docs',
        kept: 5,
        deleted: ['docs-20261111T020000Z', 'docs-20261120T020000Z', 'docs-20261121T020000Z'],
        offsiteDeleted: ['docs-20261001T020000Z', 'docs-20261111T020000Z', 'docs-20261120T020000Z', 'docs-20261121T020000Z'],
      });
      expect(readdirSync(offsiteDir).sort()).toEqual(['.partial-20261123T020000Z', ...remaining]);
      expect(existsSync(join(config.repository, 'docs', '20261110T020000Z', 'manifest.json'))).toBe(true);
    },
  );

  it('keeps a tagged (pre-deploy) backup until its hold runs out, locally and offsite', async () => {
    const { config, offsiteDir } = world('local');
    const history: Array<[string, BackupManifest['tag']]> = [
      ['20261101T100000Z', { name: 'pre-deploy-crm-aaaa', keepUntil: '2099-01-01T00:00:00.000Z' }],
      ['20261102T100000Z', { name: 'pre-deploy-crm-bbbb', keepUntil: '2026-11-09T10:00:00.000Z' }],
      ['20261102T020000Z', undefined],
      ['20261119T020000Z', undefined],
      ['20261120T020000Z', undefined],
      ['20261121T020000Z', undefined],
    ];
    for (const [stamp, tag] of history) {
      writeBackup(config.repository, stamp, 'passed', tag);
      mkdirSync(join(offsiteDir, stamp, 'snapshot'), { recursive: true });
    }

    const [result] = await applyRetention(config, new BackupRepository(config.repository), { targets: ['docs'] });

    expect(result!.deleted).toEqual(['docs-20261102T020000Z', 'docs-20261102T100000Z']);
    expect(result!.offsiteDeleted).toEqual(['docs-20261102T020000Z', 'docs-20261102T100000Z']);
    const remaining = ['20261101T100000Z', '20261119T020000Z', '20261120T020000Z', '20261121T020000Z'];
    expect(readdirSync(join(config.repository, 'docs')).sort()).toEqual(remaining);
    expect(readdirSync(offsiteDir).sort()).toEqual(remaining);
  });

  it.each([
    [
      'a path under a regular file',
      (dir: string) => {
        writeFileSync(join(dir, 'not-a-dir'), '');
        return `${dir}/not-a-dir/offsite`;
      },
      /^offsite retention of docs at \/.+\/not-a-dir\/offsite failed: mkdir failed \(exit 1\): .*Not a directory/,
    ],
    [
      'an ssh host that refuses the connection',
      (dir: string) => `ssh://nobody@127.0.0.1:${closedPort}${dir}/offsite`,
      /^offsite retention of docs at ssh:\/\/nobody@127\.0\.0\.1:\d+\/.+\/offsite failed: ssh failed \(exit 255\): .*Connection refused/,
    ],
  ])('an offsite that cannot be listed (%s) is a retention error of the target, and local retention still runs', async (_, offsite, error) => {
    const { config } = world(offsite);
    for (const stamp of ['20261119T020000Z', '20261120T020000Z', '20261121T020000Z', '20261122T020000Z']) writeBackup(config.repository, stamp, 'passed');

    const [result] = await applyRetention(config, new BackupRepository(config.repository), { targets: ['docs'] });

    expect(result).toEqual({
      target: 'docs',
      kept: 3,
      deleted: ['docs-20261119T020000Z'],
      offsiteDeleted: [],
      offsiteError: expect.stringMatching(error),
    });
    expect(readdirSync(join(config.repository, 'docs')).sort()).toEqual(['20261120T020000Z', '20261121T020000Z', '20261122T020000Z']);
  });
});
