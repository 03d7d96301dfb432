import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import type { FixtureOptions } from '../support/backup-fixture.js';
import { backupWorldForTest, runNightly, type BackupWorld } from '../support/backup-world.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';
import { alertingTo, expectNoSecretsIn, onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { startSlackReceiver } from '../support/slack-receiver.js';

const BUCKET = 'ops-offsite';
let s3: S3Server;
let s3Dir: string;

beforeAll(async () => {
  s3Dir = await mkdtemp(join(testServers().scratchRoot, 's3-'));
  s3 = await startS3Server(s3Dir);
  await s3.createBucket(BUCKET);
});
afterAll(async () => {
  await s3?.stop();
  await rm(s3Dir, { recursive: true, force: true });
});

/** An S3 destination of the test server, its keys handed in as ${ENV} secrets, as a real deployment would. */
function s3Destination(url: string, keys: { S3_KEY_ID: string; S3_SECRET: string } = { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey }) {
  return {
    env: keys,
    entry: { url, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}' },
  };
}

/** The fixture's offsite directory and the S3 destination(s) at once. */
function withOffsite(...entries: Array<string | object>): (doc: Record<string, any>) => void {
  return (doc) => {
    doc.backup.offsite = [doc.backup.offsite, ...entries];
  };
}

async function objectSha256(key: string): Promise<string> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return createHash('sha256').update(await object.Body!.transformToByteArray()).digest('hex');
}

const drill = (world: BackupWorld, args: Parameters<typeof restoreDrill>[0]) =>
  world.worker.client.workflow.execute(restoreDrill, { taskQueue: world.worker.taskQueue, workflowId: world.worker.workflowId('drill'), args: [args] });

describe('offsite copies on a real S3-compatible server (versitygw) and a directory at once', () => {
  it('copies every target to both, each confirmed and recorded; retention deletes the expired copy on S3; a drill from S3 passes, and fails on a flipped byte there', async () => {
    const prefix = `chain-${randomBytes(3).toString('hex')}`;
    const { env, entry } = s3Destination(`s3://${BUCKET}/${prefix}`);
    const s3Name = `s3://${BUCKET}/${prefix}`;
    const world = await backupWorldForTest({
      offsite: 'local',
      env,
      edit: (doc) => {
        withOffsite(entry)(doc);
        doc.backup.retention = { daily: 1, weekly: 0, monthly: 0, keepLast: 1 };
      },
    });
    const { postgres: pgTarget, files: filesTarget } = world.fixture.targets;
    // An expired copy on S3 only: a backup of long ago, whose local backup is gone.
    const expired = `${prefix}/${pgTarget}/20240105T020000Z`;
    for (const name of ['dump.dump', 'manifest.json']) await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${expired}/${name}`, Body: '{}' }));

    const { result } = await runNightly(world);

    expect(result.targets.map((t) => t.error)).toEqual([undefined, undefined, undefined]);
    const entries = await world.repository.list();
    expect(entries).toHaveLength(3);
    for (const backup of entries) {
      expect(backup.offsite).toMatchObject({ status: 'copied', destination: `${world.fixture.offsiteDir}, ${s3Name}` });
      expect(backup.offsite!.copies![world.fixture.offsiteDir]).toMatchObject({ status: 'copied', sha256Confirmed: backup.manifest.sha256 });
      expect(backup.offsite!.copies![s3Name]).toMatchObject({ status: 'copied', sha256Confirmed: backup.manifest.sha256, confirmedBy: 'storage-checksum' });
      const base = `${prefix}/${backup.target}/${backup.stamp}`;
      expect(await s3.keys(BUCKET, `${base}/manifest.json`)).toEqual([`${base}/manifest.json`]);
      if (backup.manifest.kind !== 'files') expect(await objectSha256(`${base}/${backup.manifest.artifact}`)).toBe(backup.manifest.sha256);
      else for (const file of backup.manifest.files!) expect(await objectSha256(`${base}/snapshot/${file.path}`)).toBe(file.sha256);
    }
    expect(result.retention.find((r) => r.target === pgTarget)).toMatchObject({ offsiteDeleted: [`${pgTarget}-20240105T020000Z`] });
    expect(await s3.keys(BUCKET, `${expired}/`)).toEqual([]);
    expect(await s3.openUploads(BUCKET)).toEqual([]);

    // The drill reads back from S3 only: the directory copy is removed first, and --from names S3 anyway.
    await rm(join(world.fixture.offsiteDir, pgTarget), { recursive: true, force: true });
    expect(await drill(world, { target: pgTarget, pick: 'latest', from: s3Name })).toMatchObject({ target: pgTarget, status: 'passed', reasons: [] });
    expect(await drill(world, { target: filesTarget, pick: 'latest' })).toMatchObject({ target: filesTarget, status: 'passed', reasons: [] });

    const pgBackup = entries.find((e) => e.target === pgTarget)!;
    await flipBytesInMiddle(join(s3.dataDir, BUCKET, prefix, pgTarget, pgBackup.stamp, pgBackup.manifest.artifact));
    const failed = await drill(world, { target: pgTarget, pick: 'latest' }).then(
      (record) => record,
      (err: unknown) => (err instanceof WorkflowFailedError ? err : Promise.reject(err)),
    );
    const reasons = failed instanceof WorkflowFailedError ? String(failed.cause?.message) : failed.reasons.join('; ');
    expect(reasons).toContain(`checksum mismatch: manifest ${pgBackup.manifest.sha256.slice(0, 12)}…`);
  });

  it('one destination failing (a missing bucket, wrong keys) does not stop the others: each failure recorded with its own alert, never a secret', async () => {
    const receiver = await startSlackReceiver();
    onTestFinished(() => receiver.close());
    const wrongSecret = `wrong-${randomBytes(8).toString('hex')}`;
    const missing = s3Destination('s3://no-such-bucket/ops');
    const denied = { ...s3Destination(`s3://${BUCKET}/denied`).entry, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_WRONG_SECRET}' };
    const options: FixtureOptions = { offsite: 'local', env: { ...missing.env, S3_WRONG_SECRET: wrongSecret }, edit: (doc) => { onlyPostgresTarget(doc); withOffsite(missing.entry, denied)(doc); } };
    const world = await backupWorldForTest(alertingTo(receiver, options));
    const target = world.fixture.targets.postgres;

    const workflowId = world.worker.workflowId('nightly');
    await expect(world.worker.client.workflow.execute(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [{}] })).rejects.toBeInstanceOf(WorkflowFailedError);

    const [backup] = await world.repository.list(target);
    const missingCause = `s3://no-such-bucket/ops at ${s3.endpoint}: bucket no-such-bucket does not exist`;
    const deniedCause = `s3://${BUCKET}/denied at ${s3.endpoint}: listing uploads under denied/ was refused (SignatureDoesNotMatch): check accessKeyId and secretAccessKey and the key's permissions on bucket ${BUCKET}`;
    expect(backup!.offsite).toMatchObject({ status: 'failed' });
    expect(backup!.offsite!.copies).toMatchObject({
      [world.fixture.offsiteDir]: { status: 'copied', sha256Confirmed: backup!.manifest.sha256 },
      's3://no-such-bucket/ops': { status: 'failed', reason: missingCause },
      [`s3://${BUCKET}/denied`]: { status: 'failed', reason: deniedCause },
    });
    expect(existsSync(join(world.fixture.offsiteDir, target, backup!.stamp, 'manifest.json'))).toBe(true);
    expect(backup!.verify?.status).toBe('passed');

    const texts = receiver.messages.map((m) => m.text);
    expect(texts).toEqual([
      expect.stringMatching(new RegExp(`^:warning: Offsite copy failed: ${target} → s3://no-such-bucket/ops — ${escaped(missingCause)}`)),
      expect.stringMatching(new RegExp(`^:warning: Offsite copy failed: ${target} → s3://${BUCKET}/denied — ${escaped(deniedCause)}`)),
    ]);
    expectNoSecretsIn(texts, world.fixture);
    // Inputs' fault: each tried once, not retried.
    expect((await activityRuns(world.worker.client, workflowIds.backupTarget(target), 'copyOffsite')).map((r) => [r.attempt, r.outcome])).toEqual([[1, 'completed'], [1, 'failed'], [1, 'failed']]);
  });
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
