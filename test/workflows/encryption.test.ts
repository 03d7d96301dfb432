import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { describeDestination } from '../../src/config/offsite-destination.js';
import { Secret } from '../../src/config/secret.js';
import { recipientFingerprint } from '../../src/core/age-recipients.js';
import { PreconditionFailed } from '../../src/core/errors.js';
import { workflowIds } from '../../src/temporal/names.js';
import { restoreAndCheck } from '../../src/activities/verify/restore-and-check.js';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { encryptionFor, makeAgeKey, type AgeKey } from '../support/age-keys.js';
import { activityRuns } from '../support/activity-history.js';
import { historyText } from '../support/history-text.js';
import { backupWorldForTest, runNightly, type BackupWorld } from '../support/backup-world.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker } from '../support/test-worker.js';
import { AGE_HEADER, filesUnder } from '../support/stored-files.js';

const BUCKET = 'ops-sealed';
/** The fixture's table names: none may appear in any byte ops stores. */
const TABLE_NAMES = ['companies', 'contacts', 'deals', 'customers', 'order_items'];

let s3: S3Server;
let keysDir: string;
let key: AgeKey;
let otherKey: AgeKey;

beforeAll(async () => {
  keysDir = await mkdtemp(join(testServers().scratchRoot, 'age-'));
  s3 = await startS3Server(keysDir);
  await s3.createBucket(BUCKET);
  key = await makeAgeKey(keysDir, 'ops');
  otherKey = await makeAgeKey(keysDir, 'other');
});
afterAll(async () => {
  await s3?.stop();
  await rm(keysDir, { recursive: true, force: true });
});

/** The chain to an ssh directory and to S3 at once, encrypted to `key`. */
async function encryptedWorld(prefix: string, identity: AgeKey | undefined = key): Promise<BackupWorld> {
  return backupWorldForTest({
    offsite: 'ssh',
    env: { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey },
    edit: (doc) => {
      targetsAsAdmin(doc);
      doc.backup.offsite = [doc.backup.offsite, { url: `s3://${BUCKET}/${prefix}`, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}' }];
      doc.backup.encryption = encryptionFor([key], identity);
    },
  });
}

const drill = (world: BackupWorld, args: Parameters<typeof restoreDrill>[0]) =>
  world.worker.client.workflow.execute(restoreDrill, { taskQueue: world.worker.taskQueue, workflowId: world.worker.workflowId('drill'), args: [args] });

/** The run's outcome: its record, or the message it failed with. */
const outcomeOf = <T>(run: Promise<T>) => run.then((value) => ({ value, failure: undefined }), (err: unknown) => (err instanceof WorkflowFailedError ? { value: undefined, failure: String(err.cause?.message) } : Promise.reject(err)));

describe('age encryption of every database artifact, local and offsite (ssh and S3 at once)', () => {
  it('stores only ciphertext that names no table, verifies, drills from S3, and restores from S3 with an empty repository', async () => {
    const prefix = `sealed-${Date.now().toString(36)}`;
    const world = await encryptedWorld(prefix);
    const { postgres: pgTarget, mysql: myTarget } = world.fixture.targets;

    const { workflowId: nightlyId, result } = await runNightly(world, { targets: [pgTarget, myTarget] });

    expect(result.targets.map((t) => t.error)).toEqual([undefined, undefined]);
    const entries = await world.repository.list();
    expect(entries).toHaveLength(2);
    for (const backup of entries) {
      const { manifest } = backup;
      expect(manifest.artifact).toMatch(/\.age$/);
      expect(manifest.tables).toBeUndefined();
      expect(manifest.encryption).toMatchObject({ tool: 'age', recipients: [recipientFingerprint(key.recipient)], sealed: { file: 'contents.json.age' } });
      expect(manifest.encryption!.plaintextSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.encryption!.plaintextSha256).not.toBe(manifest.sha256);
      // pg_dump's version comes from the archive's header, read before age encrypts it.
      if (manifest.kind === 'postgres') expect(manifest.toolVersions).toEqual({ pg_dump: execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim() });
      expect(backup.verify?.status).toBe('passed');
      expect(backup.offsite?.status).toBe('copied');
      const stored = [join(backup.dir, manifest.artifact), join(world.fixture.offsiteDir, backup.target, backup.stamp, manifest.artifact), join(s3.dataDir, BUCKET, prefix, backup.target, backup.stamp, manifest.artifact)];
      for (const file of [...stored, join(s3.dataDir, BUCKET, prefix, backup.target, backup.stamp, 'contents.json.age')]) {
        expect((await readFile(file)).subarray(0, AGE_HEADER.length).toString('latin1')).toBe(AGE_HEADER);
      }
    }
    // Every byte stored for these backups: the local repository, the ssh directory, the S3 server's data directory.
    const storedFiles = [...(await filesUnder(world.fixture.config.repository)), ...(await filesUnder(world.fixture.offsiteDir)), ...(await filesUnder(join(s3.dataDir, BUCKET, prefix)))];
    expect(storedFiles.length).toBeGreaterThanOrEqual(12);
    for (const file of storedFiles) {
      const text = (await readFile(file)).toString('latin1');
      expect(TABLE_NAMES.filter((name) => text.includes(name)), file).toEqual([]);
    }

    const s3Name = `s3://${BUCKET}/${prefix}`;
    await rm(join(world.fixture.offsiteDir, pgTarget), { recursive: true, force: true });
    const drills: string[] = [];
    for (const target of [pgTarget, myTarget]) {
      const workflowId = world.worker.workflowId('drill');
      drills.push(workflowId);
      const record = await world.worker.client.workflow.execute(restoreDrill, { taskQueue: world.worker.taskQueue, workflowId, args: [{ target, pick: 'latest', from: s3Name }] });
      expect(record).toMatchObject({ target, status: 'passed', reasons: [] });
    }

    // A host that lost its repository: only the config, the identity and the S3 copy.
    const pgBackup = entries.find((e) => e.target === pgTarget)!;
    const restoreId = world.worker.workflowId('restore');
    await rm(join(world.fixture.config.repository, pgTarget), { recursive: true, force: true });
    try {
      const stamp = '20300101T000000Z';
      const record = await world.worker.client.workflow.execute(restoreBackup, {
        taskQueue: world.worker.taskQueue,
        workflowId: restoreId,
        args: [{ target: pgTarget, pick: { latest: true }, from: { offsite: true, destination: s3Name }, stamp }],
      });
      expect(record).toMatchObject({ target: pgTarget, backupId: pgBackup.id, status: 'passed', reasons: [] });
      // The checks name no table in the clear: the run's result (its history), report and alerts say counts; the named verdicts are sealed.
      const sealedFile = `${restoreId}.checks.json.age`;
      const sourceTables = (await rowCounts('postgres', world.fixture.pgDatabase)).length;
      expect(record.checks).toEqual([
        { check: 'checksum', passed: true, detail: expect.stringContaining(`matches the manifest (fetched from ${s3Name})`) },
        { check: 'table count', passed: true, detail: `manifest ${sourceTables}, restored ${sourceTables}` },
        { check: 'row counts', passed: true, detail: `${sourceTables} table(s) match the manifest (details sealed: ${sealedFile})` },
      ]);
      const sealed = JSON.parse(execFileSync('age', ['--decrypt', '-i', key.identityFile, join(world.fixture.config.reports, sealedFile)], { encoding: 'utf8' })) as { checks: Array<{ check: string; passed: boolean }> };
      expect(sealed.checks).toContainEqual(expect.objectContaining({ check: 'rows of public.companies', passed: true }));
      const report = await readFile(record.report!, 'utf8');
      expect(report).toContain('| row counts | PASS |');
      for (const text of [report, await historyText(world.worker.client.workflow.getHandle(restoreId))]) expect(TABLE_NAMES.filter((name) => text.includes(name))).toEqual([]);
      expect(await rowCounts('postgres', record.database!)).toEqual(await rowCounts('postgres', world.fixture.pgDatabase));
      expect(await readdir(join(world.fixture.config.stateDir, 'restores')).catch(() => [])).toEqual([]);
    } finally {
      await dropRestoredDatabases('postgres', world.fixture.id);
    }

    // The identity went to age through pipes only: in no run's history.
    const identity = (await readFile(key.identityFile, 'utf8')).trim();
    const runs = [nightlyId, workflowIds.backupTarget(pgTarget), workflowIds.backupTarget(myTarget), ...drills, restoreId];
    for (const id of runs) expect(await historyText(world.worker.client.workflow.getHandle(id)), id).not.toContain(identity.slice('AGE-SECRET-KEY-'.length));

    // A byte flipped in the ciphertext on S3: corruption, named, before any key is tried.
    const myBackup = entries.find((e) => e.target === myTarget)!;
    await flipBytesInMiddle(join(s3.dataDir, BUCKET, prefix, myTarget, myBackup.stamp, myBackup.manifest.artifact));
    const damaged = await outcomeOf(drill(world, { target: myTarget, pick: 'latest', from: s3Name }));
    const reasons = damaged.failure ?? damaged.value!.reasons.join('; ');
    expect(reasons).toMatch(new RegExp(`checksum mismatch: manifest ${myBackup.manifest.sha256.slice(0, 12)}…, artifact [0-9a-f]{12}…: the ciphertext ${myBackup.manifest.artifact.replaceAll('.', '\\.')} is corrupt`));
    expect(reasons).not.toMatch(/identity|recipient/);
  });

  it('a wrong or missing identity fails once, naming the recipients the backup was made for; damaged ciphertext whose hash matched is corruption, not a bad key', async () => {
    const world = await backupWorldForTest({
      offsite: 'none',
      edit: (doc) => {
        doc.backup.encryption = encryptionFor([key], otherKey);
      },
    });
    const target = world.fixture.targets.postgres;
    const fingerprint = recipientFingerprint(key.recipient);

    // The dump needs only the public key; verify, with the other identity, must refuse by the keys.
    const run = await outcomeOf(runNightly(world, { targets: [target] }));
    expect(run.failure).toContain('verify failed');
    const [backup] = await world.repository.list(target);
    const wrong = `${backup!.id} is encrypted to recipients ${fingerprint}: the identity in backup.encryption.identityFile (file ${otherKey.identityFile}) matches none of them`;
    expect(backup!.verify).toMatchObject({ status: 'failed', reasons: [`verify could not run: ${wrong}`] });
    expect((await activityRuns(world.worker.client, workflowIds.backupTarget(target), 'verifyBackup')).map((r) => [r.attempt, r.outcome])).toEqual([[1, 'failed']]);
    expect(JSON.stringify(backup!.verify)).not.toContain('AGE-SECRET-KEY');

    const cancelSignal = new AbortController().signal;
    const { config } = world.fixture;
    const withIdentity = (identityFile?: Secret) => ({ ...config, backup: { ...config.backup, encryption: { recipients: [key.recipient], ...(identityFile ? { identityFile } : {}) } } });
    await expect(restoreAndCheck(withIdentity(), backup!.manifest, backup!.dir, cancelSignal)).rejects.toThrow(
      new PreconditionFailed(`${backup!.id} is encrypted to recipients ${fingerprint}: set backup.encryption.identityFile on this worker to read it`),
    );

    // The right identity; the ciphertext damaged and its hash in the manifest made to match, as if the
    // damage came before hashing: age's authentication catches it, and it is named as corruption.
    const right = withIdentity(new Secret(await readFile(key.identityFile, 'utf8'), `file ${key.identityFile}`));
    const artifact = join(backup!.dir, backup!.manifest.artifact);
    await flipBytesInMiddle(artifact);
    const outcome = await restoreAndCheck(right, { ...backup!.manifest, sha256: await sha256OfFile(artifact) }, backup!.dir, cancelSignal);
    expect(outcome.reasons).toEqual([
      `restore failed: ${backup!.id}: ${backup!.manifest.artifact} is corrupt: age could not authenticate its ciphertext (age: error: failed to decrypt and authenticate payload chunk)`,
    ]);
  });

  it('ops backups reencrypt re-wraps an older backup for a new recipient, locally and on both destinations; the new identity alone then restores it from S3', async () => {
    const prefix = `rotated-${Date.now().toString(36)}`;
    const world = await encryptedWorld(prefix);
    const target = world.fixture.targets.postgres;
    await runNightly(world, { targets: [target] });
    const [before] = await world.repository.list(target);

    // Rotation: the new recipient in the config; the worker that re-wraps still holds the old identity.
    const rotatingFile = await configVariant(world, 'rotating', encryptionFor([otherKey], key));
    const rotating = await startTestWorker(loadConfig(rotatingFile, world.fixture.env));
    const cliEnv = { ...world.fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: rotating.taskQueue };
    let result: Awaited<ReturnType<typeof runCli>>;
    try {
      result = await runCli(['--config', rotatingFile, 'backups', 'reencrypt', '--target', target, '--wait'], cliEnv);
    } finally {
      await rotating.stop();
    }
    const newFingerprint = recipientFingerprint(otherKey.recipient);
    const check = await runCli(['--config', rotatingFile, 'config', 'check'], cliEnv);
    // The rotating worker holds the old key only: config check says what it can and cannot read.
    expect(check.stdout).toContain(`  encryption: database dumps and files snapshots to 1 age recipient(s) ${newFingerprint}; the identity matches none of these recipients: it reads only backups made to its own key (a rotation's old ones, for reencrypt); verify, drill and restore of backups made now will fail\n`);
    expect(check.stdout).toContain(`  note: files targets are sealed as one full archive per snapshot (no hard links to the previous one): ${world.fixture.targets.files}`);
    const s3Name = `s3://${BUCKET}/${prefix}`;
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${before!.id}: re-encrypted for recipients ${newFingerprint}; uploaded again to ${world.fixture.config.backup.offsite.map(describeDestination).join(', ')}`);
    expect(result.exitCode).toBe(0);

    const [after] = await world.repository.list(target);
    expect(after!.manifest.artifact).toMatch(/^dump\.pgc\.k[0-9a-f]{8}\.age$/);
    expect(after!.manifest.encryption).toMatchObject({ recipients: [newFingerprint], plaintextSha256: before!.manifest.encryption!.plaintextSha256 });
    expect(after!.manifest.sha256).not.toBe(before!.manifest.sha256);
    expect((await readdir(after!.dir)).sort()).toEqual([after!.manifest.artifact, after!.manifest.encryption!.sealed.file, 'manifest.json', 'offsite.json', 'verify.json'].sort());
    for (const copy of Object.values(after!.offsite!.copies!)) expect(copy).toMatchObject({ status: 'copied', sha256Confirmed: after!.manifest.sha256 });
    expect(await s3.keys(BUCKET, `${prefix}/${target}/${after!.stamp}/`)).toEqual([after!.manifest.artifact, after!.manifest.encryption!.sealed.file, 'manifest.json'].map((name) => `${prefix}/${target}/${after!.stamp}/${name}`).sort());
    const sshCopy = join(world.fixture.offsiteDir, target, after!.stamp);
    expect((await readFile(join(sshCopy, after!.manifest.artifact))).subarray(0, AGE_HEADER.length).toString('latin1')).toBe(AGE_HEADER);
    expect(await readdir(sshCopy)).not.toContain(before!.manifest.artifact);

    // Only the new identity, an empty repository: the S3 copy restores; the old identity is now the wrong one.
    const rotatedFile = await configVariant(world, 'rotated', encryptionFor([otherKey], otherKey));
    const rotated = await startTestWorker(loadConfig(rotatedFile, world.fixture.env));
    await rm(join(world.fixture.config.repository, target), { recursive: true, force: true });
    try {
      const record = await rotated.client.workflow.execute(restoreBackup, {
        taskQueue: rotated.taskQueue,
        workflowId: rotated.workflowId('restore'),
        args: [{ target, pick: { latest: true }, from: { offsite: true, destination: s3Name }, stamp: '20300102T000000Z' }],
      });
      expect(record).toMatchObject({ target, backupId: before!.id, status: 'passed', reasons: [] });
      expect(await rowCounts('postgres', record.database!)).toEqual(await rowCounts('postgres', world.fixture.pgDatabase));
    } finally {
      await rotated.stop();
      await dropRestoredDatabases('postgres', world.fixture.id);
    }
  });
});

/** The fixture's config with another backup.encryption, written beside it. */
async function configVariant(world: BackupWorld, name: string, encryption: Record<string, unknown>): Promise<string> {
  const doc = parse(await readFile(world.fixture.configFile, 'utf8')) as Record<string, any>;
  doc.backup.encryption = encryption;
  const file = join(world.fixture.dir, `${name}.config.yaml`);
  await writeFile(file, stringify(doc));
  return file;
}
