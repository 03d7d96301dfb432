import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';
import { activityRuns } from '../support/activity-history.js';
import { backupWorldForTest, runNightly } from '../support/backup-world.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';
import { waitFor } from '../support/wait-for.js';

const BUCKET = 'crash-offsite';
const BIG_FILE_MIB = 160;
let s3: S3Server;
let s3Dir: string;

beforeAll(async () => {
  s3Dir = await mkdtemp(join(testServers().scratchRoot, 's3-crash-'));
  s3 = await startS3Server(s3Dir);
  await s3.createBucket(BUCKET);
});
afterAll(async () => {
  await s3?.stop();
  await rm(s3Dir, { recursive: true, force: true });
});

/** Random, so that no layer can compress it; written in chunks, never held whole. */
function writeRandomFile(file: string, mib: number): void {
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, randomBytes(1024 * 1024));
  } finally {
    closeSync(fd);
  }
}

describe('the S3 server killed mid-upload', () => {
  it('the copy fails retryably with nothing under the final key, is retried once the server is back, and leaves no multipart upload behind', async () => {
    const world = await backupWorldForTest({
      offsite: 'none',
      env: { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey },
      edit: (doc) => {
        doc.databases = [];
        writeRandomFile(join(doc.files[0].source, 'big.bin'), BIG_FILE_MIB);
        doc.backup.offsite = { url: `s3://${BUCKET}/nightly`, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}' };
      },
    });
    const target = world.fixture.targets.files;
    const bigSha = await sha256OfFile(join(world.fixture.filesDir, 'big.bin'));

    const run = runNightly(world);
    let uploading: string[] = [];
    await waitFor('a multipart upload of big.bin under way', async () => {
      uploading = (await s3.openUploads(BUCKET).catch(() => [])).filter((key) => key.endsWith('/snapshot/big.bin'));
      return uploading.length > 0;
    }, 120_000, 10);
    await s3.kill();
    const [key] = uploading;
    // The object is not there while the upload is cut short: a multipart upload becomes an object only when completed.
    expect(existsSync(join(s3.dataDir, BUCKET, key!))).toBe(false);
    // Down long enough for the SDK's own retries to give up: the step fails, and Temporal retries it.
    await sleep(3_000);
    await s3.restart();
    // The aborted attempt could not abort its upload (the server was gone): an orphan, until the retry's sweep.
    expect(await s3.openUploads(BUCKET)).toEqual([key]);
    const { result } = await run;

    expect(result.targets).toEqual([{ target, backupId: expect.any(String) }]);
    const copies = await activityRuns(world.worker.client, workflowIds.backupTarget(target), 'copyOffsite');
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ outcome: 'completed', lastFailure: { type: 'TransientFailure', nonRetryable: false } });
    expect(copies[0]!.attempt).toBeGreaterThanOrEqual(2);
    expect(copies[0]!.lastFailure!.message).toMatch(new RegExp(`^s3://${BUCKET}/nightly at ${s3.endpoint.replace(/\./g, '\\.')}: uploading ${key} failed: `));
    expect(await s3.openUploads(BUCKET)).toEqual([]);
    const [backup] = await world.repository.list(target);
    expect(backup!.offsite).toMatchObject({ status: 'copied' });
    expect(await s3.keys(BUCKET, `nightly/${target}/${backup!.stamp}/`)).toEqual([
      `nightly/${target}/${backup!.stamp}/manifest.json`,
      `nightly/${target}/${backup!.stamp}/snapshot/a.txt`,
      `nightly/${target}/${backup!.stamp}/snapshot/big.bin`,
      `nightly/${target}/${backup!.stamp}/snapshot/nested/b.bin`,
    ]);
    expect(await sha256OfFile(join(s3.dataDir, BUCKET, key!))).toBe(bigSha);
  });
});
