import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDestination } from '../../src/config/offsite-destination.js';
import { recipientFingerprint } from '../../src/core/age-recipients.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { ageEncrypt } from '../../src/commands/age.js';
import { compress } from '../../src/commands/compression.js';
import { tarCreate } from '../../src/commands/tar.js';
import { PreconditionFailed } from '../../src/core/errors.js';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';
import { streamCommandsToFile } from '../../src/activities/process/stream-to-file.js';
import { restoreAndCheck } from '../../src/activities/verify/restore-and-check.js';
import { encryptionFor, makeAgeKey, type AgeKey } from '../support/age-keys.js';
import { backupWorldForTest, runNightly, type BackupWorld } from '../support/backup-world.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { historyText } from '../support/history-text.js';
import { runCli } from '../support/run-cli.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';
import { AGE_HEADER, filesUnder } from '../support/stored-files.js';

const BUCKET = 'ops-sealed-files';

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

    const env = { ...world.fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: world.worker.taskQueue };
    const restoredDir = join(world.fixture.dir, 'restored-from-local');
    const restored = await runCli(['--config', world.fixture.configFile, 'restore', target, '--latest', '--from', 'local', '--to', restoredDir, '--wait'], env);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toContain("  PASS checksums: 2 of 2 file(s) match the manifest's sha256\n");
    expect(await readFile(join(restoredDir, 'nested', 'b.bin'))).toEqual(binary);
    expect((await readdir(world.fixture.dir)).filter((name) => name.startsWith('.ops-restore-'))).toEqual([]);

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

  it('ops restore from S3 with an empty local repository, to a local dir and to an ssh:// dir: every checksum matches, --dry-run changes nothing, files not in the snapshot survive without --delete, no staging left', async () => {
    const prefix = `files-restore-${Date.now().toString(36)}`;
    const world = await sealedFilesWorld(prefix);
    const { fixture } = world;
    const target = fixture.targets.files;
    await runNightly(world, { targets: [target] });
    const [backup] = await world.repository.list(target);
    await rm(join(fixture.config.repository, target), { recursive: true, force: true });

    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: world.worker.taskQueue };
    const s3Name = `s3://${BUCKET}/${prefix}`;
    const restore = (...args: string[]) => runCli(['--config', fixture.configFile, 'restore', target, '--latest', '--from', `offsite:${s3Name}`, ...args], env);
    const sameAsSource = async (dir: string) => {
      expect(await readFile(join(dir, 'a.txt'))).toEqual(await readFile(join(fixture.filesDir, 'a.txt')));
      expect(await readFile(join(dir, 'nested', 'b.bin'))).toEqual(await readFile(join(fixture.filesDir, 'nested', 'b.bin')));
    };
    const lived = async (name: string) => {
      const dir = join(fixture.dir, 'restores-to', name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'extra.txt'), 'mine\n');
      await writeFile(join(dir, 'a.txt'), 'ALPHA\n');
      return dir;
    };
    const noStaging = async () => expect((await readdir(join(fixture.dir, 'restores-to'))).filter((name) => name.startsWith('.'))).toEqual([]);

    const dryDir = await lived('dry');
    const dry = await restore('--to', dryDir, '--dry-run', '--delete');
    expect(dry.stderr).toBe('');
    expect(dry.exitCode).toBe(0);
    // rsync's changes name the files: for a sealed snapshot they are counted in the clear, listed only in the sealed file.
    const sealedLine = new RegExp(`^dry run of ${backup!.id} \\(fetched from ${s3Name}\\) to ${dryDir}: nothing was changed; rsync would make (\\d+) change\\(s\\) \\(details sealed: (\\S+\\.changes\\.json\\.age)\\)$`, 'm');
    expect(dry.stdout).toMatch(sealedLine);
    const [, count, sealedName] = sealedLine.exec(dry.stdout)!;
    const sealed = JSON.parse(execFileSync('age', ['-d', '-i', key.identityFile, join(fixture.config.reports, sealedName!)], { encoding: 'utf8' })) as { changes: string[] };
    expect(sealed.changes).toHaveLength(Number(count));
    expect(sealed.changes).toEqual(expect.arrayContaining([expect.stringMatching(/^>fc\S* a\.txt$/), expect.stringMatching(/^\*deleting +extra\.txt$/)]));
    const dryRun = /^started (\S+)$/m.exec(dry.stdout)![1]!;
    const history = await historyText(world.worker.client.workflow.getHandle(dryRun));
    for (const name of ['a.txt', 'b.bin', 'extra.txt']) {
      expect(dry.stdout).not.toContain(name);
      expect(history).not.toContain(name);
    }
    expect((await readdir(dryDir)).sort()).toEqual(['a.txt', 'extra.txt']);
    expect(await readFile(join(dryDir, 'a.txt'), 'utf8')).toBe('ALPHA\n');
    await noStaging();

    // What a restore killed before its cleanup left beside the destination: the next restore there removes it.
    await mkdir(join(fixture.dir, 'restores-to', '.ops-restore-local-killed', 'nested'), { recursive: true });
    await writeFile(join(fixture.dir, 'restores-to', '.ops-restore-local-killed', 'nested', 'b.bin'), 'plaintext\n');
    const localDir = await lived('local');
    const local = await restore('--to', localDir, '--wait');
    expect(local.stderr).toBe('');
    expect(local.exitCode).toBe(0);
    expect(local.stdout).toContain("  PASS checksums: 2 of 2 file(s) match the manifest's sha256\n");
    const localReport = await readFile(/ report (\S+\.md)$/m.exec(local.stdout)![1]!, 'utf8');
    expect(localReport).toMatch(/^## Changes\n\n\d+ change\(s\) \(details sealed: \S+\.changes\.json\.age\)$/m);
    for (const name of ['a.txt', 'b.bin']) expect(localReport).not.toContain(name);
    expect(local.stdout).toContain(`restored ${backup!.id} (fetched from ${s3Name}) to ${localDir}\n`);
    await sameAsSource(localDir);
    expect(await readFile(join(localDir, 'extra.txt'), 'utf8')).toBe('mine\n');
    await noStaging();

    const { sshd } = testServers();
    const sshDir = join(fixture.dir, 'restores-to', 'over-ssh', 'deeper');
    const to = `ssh://${sshd.user}@${sshd.host}:${sshd.port}${sshDir}`;
    const remote = await restore('--to', to, '--wait');
    expect(remote.stderr).toBe('');
    expect(remote.exitCode).toBe(0);
    expect(remote.stdout).toContain("  PASS checksums: 2 of 2 file(s) match the manifest's sha256\n");
    expect(remote.stdout).toContain(`restored ${backup!.id} (fetched from ${s3Name}) to ${to}\n`);
    await sameAsSource(sshDir);
    expect(await readdir(join(fixture.dir, 'restores-to', 'over-ssh'))).toEqual(['deeper']);
    expect(await readdir(join(fixture.config.stateDir, 'restores')).catch(() => [])).toEqual([]);
    expect(await readdir(fixture.config.repository)).not.toContain(target);
  });

  it('verify names what is wrong: a missing identity by the recipients; a file differing inside an archive whose hash matched; damage past the hash as corruption', async () => {
    const world = await backupWorldForTest({ offsite: 'none', edit: (doc) => void (doc.backup.encryption = encryptionFor([key], key)) });
    const target = world.fixture.targets.files;
    // A second name of a file: tar must store it as a file, or verify would miss it.
    await link(join(world.fixture.filesDir, 'a.txt'), join(world.fixture.filesDir, 'a-link.txt'));
    await runNightly(world, { targets: [target] });
    const [backup] = await world.repository.list(target);
    expect(backup!.verify).toMatchObject({ status: 'passed', reasons: [] });
    const { config } = world.fixture;
    const cancelSignal = new AbortController().signal;
    const artifact = join(backup!.dir, backup!.manifest.artifact);
    const fingerprint = recipientFingerprint(key.recipient);

    const noIdentity = { ...config, backup: { ...config.backup, encryption: { recipients: [key.recipient] } } };
    await expect(restoreAndCheck(noIdentity, backup!.manifest, backup!.dir, cancelSignal)).rejects.toThrow(
      new PreconditionFailed(`${backup!.id} is encrypted to recipients ${fingerprint}: set backup.encryption.identityFile on this worker to read it`),
    );

    // Another archive sealed to the same key, the manifest's hash made to match: the sealed file list catches the changed file.
    const tree = join(world.fixture.dir, 'tampered');
    await mkdir(join(tree, 'nested'), { recursive: true });
    await writeFile(join(tree, 'a.txt'), 'alpha\n');
    await writeFile(join(tree, 'a-link.txt'), 'alpha\n');
    await writeFile(join(tree, 'nested', 'b.bin'), 'not the original\n');
    await rm(artifact);
    await streamCommandsToFile([tarCreate(tree), compress('zstd'), ageEncrypt([key.recipient])], artifact);
    const tampered = await restoreAndCheck(config, { ...backup!.manifest, sha256: await sha256OfFile(artifact) }, backup!.dir, cancelSignal);
    expect(tampered.reasons).toEqual(['checksum differs for nested/b.bin']);

    await flipBytesInMiddle(artifact);
    const damaged = await restoreAndCheck(config, { ...backup!.manifest, sha256: await sha256OfFile(artifact) }, backup!.dir, cancelSignal);
    expect(damaged.reasons).toEqual([`${backup!.id}: files.tar.zst.age is corrupt: age could not authenticate its ciphertext (age: error: failed to decrypt and authenticate payload chunk)`]);
  });
});
