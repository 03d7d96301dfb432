import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDestination } from '../../src/config/offsite-destination.js';
import { recipientFingerprint } from '../../src/core/age-recipients.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { encryptionFor, makeAgeKey, type AgeKey } from '../support/age-keys.js';
import { backupWorldForTest, runNightly, type BackupWorld } from '../support/backup-world.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';

const BUCKET = 'ops-sealed-files';
const AGE_HEADER = 'age-encryption.org/v1\n';

let s3: S3Server;
let keysDir: string;
let key: AgeKey;

beforeAll(async () => {
  keysDir = await mkdtemp(join(testServers().scratchRoot, 'age-files-'));
  s3 = await startS3Server(keysDir);
  await s3.createBucket(BUCKET);
  key = await makeAgeKey(keysDir, 'ops');
});
afterAll(async () => {
  await s3?.stop();
  await rm(keysDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** The chain of the files target to an ssh directory and to S3 at once, encrypted to `key`. */
async function sealedFilesWorld(prefix: string): Promise<BackupWorld> {
  return backupWorldForTest({
    offsite: 'ssh',
    env: { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey },
    edit: (doc) => {
      doc.backup.offsite = [doc.backup.offsite, { url: `s3://${BUCKET}/${prefix}`, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}' }];
      doc.backup.encryption = encryptionFor([key], key);
    },
  });
}

const outcomeOf = <T>(run: Promise<T>) => run.then((value) => ({ value, failure: undefined }), (err: unknown) => (err instanceof WorkflowFailedError ? { value: undefined, failure: String(err.cause?.message) } : Promise.reject(err)));

describe('age encryption of files snapshots: one sealed archive, local and offsite (ssh and S3 at once)', () => {
  it('stores only ciphertext that names no file and holds no content of the source, verifies, drills from S3; a flipped byte is corruption', async () => {
    const prefix = `files-${Date.now().toString(36)}`;
    const world = await sealedFilesWorld(prefix);
    const target = world.fixture.targets.files;
    const s3Name = `s3://${BUCKET}/${prefix}`;

    const { result } = await runNightly(world, { targets: [target] });

    expect(result.targets.map((t) => t.error)).toEqual([undefined]);
    const [backup, ...others] = await world.repository.list(target);
    expect(others).toEqual([]);
    const { manifest } = backup!;
    expect(manifest.artifact).toBe('files.tar.zst.age');
    expect(manifest.files).toBeUndefined();
    expect(manifest.linkDest).toBeUndefined();
    expect(manifest.encryption).toMatchObject({ tool: 'age', recipients: [recipientFingerprint(key.recipient)], sealed: { file: 'contents.json.age' } });
    expect(manifest.encryption!.plaintextSha256).not.toBe(manifest.sha256);
    expect(backup!.verify).toMatchObject({ status: 'passed', reasons: [] });
    expect(backup!.offsite?.status).toBe('copied');
    expect((await readdir(backup!.dir)).sort()).toEqual(['contents.json.age', 'files.tar.zst.age', 'manifest.json', 'offsite.json', 'verify.json']);

    const s3Dir = join(s3.dataDir, BUCKET, prefix, target, backup!.stamp);
    const sshDir = join(world.fixture.offsiteDir, target, backup!.stamp);
    for (const dir of [backup!.dir, sshDir, s3Dir]) {
      for (const file of ['files.tar.zst.age', 'contents.json.age']) {
        expect((await readFile(join(dir, file))).subarray(0, AGE_HEADER.length).toString('latin1'), join(dir, file)).toBe(AGE_HEADER);
      }
    }
    // Every byte stored: the local repository, the ssh directory, the S3 server's data directory.
    const binary = await readFile(join(world.fixture.filesDir, 'nested', 'b.bin'));
    const secrets = ['a.txt', 'b.bin', 'nested', 'alpha\n'].map((s) => Buffer.from(s)).concat([binary.subarray(1000, 1032)]);
    const stored = [...(await filesUnder(world.fixture.config.repository)), ...(await filesUnder(world.fixture.offsiteDir)), ...(await filesUnder(join(s3.dataDir, BUCKET, prefix)))];
    expect(stored.length).toBeGreaterThanOrEqual(12);
    for (const file of stored) {
      const bytes = await readFile(file);
      expect(secrets.filter((secret) => bytes.includes(secret)).map(String), file).toEqual([]);
    }

    const drill = (from: string) => world.worker.client.workflow.execute(restoreDrill, { taskQueue: world.worker.taskQueue, workflowId: world.worker.workflowId('drill'), args: [{ target, pick: 'latest', from }] });
    expect(await drill(s3Name)).toMatchObject({ target, status: 'passed', reasons: [] });

    // A byte flipped in the ssh copy: corruption, named by the ciphertext's hash before any key is tried.
    await flipBytesInMiddle(join(sshDir, manifest.artifact));
    const sshName = describeDestination(world.fixture.config.backup.offsite[0]!);
    const damaged = await outcomeOf(drill(sshName));
    const reasons = damaged.failure ?? damaged.value!.reasons.join('; ');
    expect(reasons).toContain(`checksum mismatch: manifest ${manifest.sha256.slice(0, 12)}…`);
    expect(reasons).toContain(': the ciphertext files.tar.zst.age is corrupt');
    expect(reasons).not.toMatch(/identity|recipient/);
  });
});
