import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository, removalName } from '../../src/records/backup-repository.js';
import type { BackupManifest } from '../../src/core/backup-record.js';
import { testServers } from '../support/servers.js';

const TARGET = 'docs';

/** Removing backups from a real repository on disk: what stays under which name, and what a listing shows. */
describe('BackupRepository.remove', () => {
  let root: string;
  let repository: BackupRepository;
  beforeAll(async () => {
    root = await mkdtemp(join(testServers().scratchRoot, 'repository-'));
    repository = new BackupRepository(root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function writeBackup(stamp: string): Promise<string> {
    const dir = repository.dirOf(TARGET, stamp);
    await mkdir(join(dir, 'snapshot', 'nested'), { recursive: true });
    await writeFile(join(dir, 'snapshot', 'nested', 'b.bin'), Buffer.alloc(4096, 7));
    const finishedAt = new Date().toISOString();
    const manifest: BackupManifest = {
      formatVersion: 1, id: `${TARGET}-${stamp}`, target: TARGET, kind: 'files', artifact: 'snapshot',
      startedAt: finishedAt, finishedAt, bytes: 4096, sha256: 'e3b0', toolVersions: {}, files: [],
    };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return manifest.id;
  }

  const namesInTarget = async () => (await readdir(join(root, TARGET))).sort();

  it('leaves nothing under the backup name nor any partial', async () => {
    const keep = await writeBackup('20261120T020000Z');
    const gone = await writeBackup('20261121T020000Z');

    await repository.remove(gone);

    expect(await namesInTarget()).toEqual(['20261120T020000Z']);
    expect((await repository.list(TARGET)).map((e) => e.id)).toEqual([keep]);
    await expect(repository.get(gone)).rejects.toThrow(`no backup ${gone} in ${root}`);
    await repository.remove(keep);
  });

  it('does nothing for a backup that is gone already, as a retried retention asks', async () => {
    await expect(repository.remove(`${TARGET}-20261001T020000Z`)).resolves.toBeUndefined();
  });

  it('a removal cut short after the rename is not listed as a backup, and the next sweep removes it', async () => {
    const stamp = '20261122T020000Z';
    const id = await writeBackup(stamp);
    // The first step of remove() done, the recursive delete not: the manifest is still there, under the removal name.
    await rename(repository.dirOf(TARGET, stamp), join(root, TARGET, removalName(stamp)));
    expect(await namesInTarget()).toEqual([removalName(stamp)]);

    expect(await repository.list(TARGET)).toEqual([]);
    expect(await repository.list()).toEqual([]);
    await expect(repository.get(id)).rejects.toThrow(`no backup ${id}`);

    expect(await repository.removePartials(TARGET)).toEqual([join(TARGET, removalName(stamp))]);
    expect(await namesInTarget()).toEqual([]);
  });

  it('a leftover under the removal name does not block the removal', async () => {
    const stamp = '20261123T020000Z';
    const id = await writeBackup(stamp);
    await mkdir(join(root, TARGET, removalName(stamp), 'snapshot'), { recursive: true });

    await repository.remove(id);

    expect(await namesInTarget()).toEqual([]);
  });
});
