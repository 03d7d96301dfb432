import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';
import { loadConfig } from '../../src/config/load-config.js';
import { rewrappedName } from '../../src/core/age-recipients.js';
import { reencryptBackups } from '../../src/workflows/reencrypt-backups.js';
import { encryptionFor, makeAgeKey, type AgeKey } from '../support/age-keys.js';
import { backupWorldForTest, runNightly } from '../support/backup-world.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { targetsAsAdmin } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { startTestWorker } from '../support/test-worker.js';

let keysDir: string;
let key: AgeKey;
let newKey: AgeKey;

beforeAll(async () => {
  keysDir = await mkdtemp(join(testServers().scratchRoot, 'age-'));
  key = await makeAgeKey(keysDir, 'ops');
  newKey = await makeAgeKey(keysDir, 'new');
});
afterAll(async () => {
  await rm(keysDir, { recursive: true, force: true });
});

describe('ops backups reencrypt that fails leaves the old backup as it was', () => {
  it('a re-wrap that fails midway leaves no new file beside the old ones; the next one removes what a killed attempt left and swaps in complete files only', async () => {
    const world = await backupWorldForTest({
      edit: (doc) => {
        targetsAsAdmin(doc);
        doc.backup.encryption = encryptionFor([key], key);
      },
    });
    const target = world.fixture.targets.postgres;
    await runNightly(world, { targets: [target] });
    const [before] = await world.repository.list(target);
    const { dir, manifest } = before!;
    const listing = (await readdir(dir)).sort();
    const sealedPath = join(dir, manifest.encryption!.sealed.file);
    const intact = join(world.fixture.dir, 'sealed.intact');
    await copyFile(sealedPath, intact);

    // The artifact re-wraps completely, then the sealed file fails age's authentication: a failure midway.
    await flipBytesInMiddle(sealedPath);
    const doc = parse(await readFile(world.fixture.configFile, 'utf8')) as Record<string, any>;
    doc.backup.encryption = encryptionFor([newKey], key);
    const rotatingFile = join(world.fixture.dir, 'rotating.config.yaml');
    await writeFile(rotatingFile, stringify(doc));
    const rotating = await startTestWorker(loadConfig(rotatingFile, world.fixture.env));
    const reencrypt = () => rotating.client.workflow.execute(reencryptBackups, { taskQueue: rotating.taskQueue, workflowId: rotating.workflowId('reencrypt'), args: [{ target }] });
    try {
      const failure = await reencrypt().then(() => undefined, (err: unknown) => err);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(String(((failure as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toContain(`${manifest.encryption!.sealed.file} is corrupt`);
      expect((await readdir(dir)).sort()).toEqual(listing);
      expect((await world.repository.get(before!.id)).manifest).toEqual(manifest);
      expect(await sha256OfFile(join(dir, manifest.artifact))).toBe(manifest.sha256);

      // What a worker killed mid-stream leaves: a temp file of the new generation.
      await copyFile(intact, sealedPath);
      const killedTemp = `.reencrypt-${rewrappedName(manifest.artifact, [newKey.recipient])}`;
      await writeFile(join(dir, killedTemp), 'age-encryption.org/v1\n-> X25519 cut short');
      const [result] = await reencrypt();
      expect(result).toMatchObject({ backupId: before!.id, rewrapped: true });
      const after = await world.repository.get(before!.id);
      expect(after.manifest.artifact).toBe(rewrappedName(manifest.artifact, [newKey.recipient]));
      const rewrapped = [after.manifest.artifact, after.manifest.encryption!.sealed.file, 'manifest.json', 'verify.json'].sort();
      expect((await readdir(dir)).sort()).toEqual(rewrapped);
      expect(await sha256OfFile(join(dir, after.manifest.artifact))).toBe(after.manifest.sha256);
      expect(await sha256OfFile(join(dir, after.manifest.encryption!.sealed.file))).toBe(after.manifest.encryption!.sealed.sha256);

      // A worker killed after the manifest swap, before the old files went: the backup needs no re-wrap, its leftover still goes.
      await copyFile(intact, sealedPath);
      const [swept] = await reencrypt();
      expect(swept).toMatchObject({ backupId: before!.id, rewrapped: false });
      expect((await readdir(dir)).sort()).toEqual(rewrapped);
    } finally {
      await rotating.stop();
    }
  });
});
