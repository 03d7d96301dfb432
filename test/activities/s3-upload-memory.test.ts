import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';

const GIB = 1024 ** 3;
let dir: string;
let s3: S3Server;

beforeAll(async () => {
  dir = await mkdtemp(join(testServers().scratchRoot, 's3-memory-'));
  s3 = await startS3Server(dir);
  await s3.createBucket('memory');
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('S3 upload memory', () => {
  it('a 1 GiB artifact goes up streamed: the copying process peaks well under 300 MB RSS, hashing whole and per part included', async () => {
    const entryDir = join(dir, 'repo', 'big-db', '20261201T020000Z');
    await mkdir(entryDir, { recursive: true });
    const artifact = join(entryDir, 'dump.pgc');
    // Sparse: costs no disk to make; every byte of it still passes through the hashes and the upload.
    await writeFile(artifact, '');
    await truncate(artifact, GIB);
    const sha256 = await sha256OfFile(artifact);
    const manifest = { formatVersion: 1, id: 'big-db-20261201T020000Z', target: 'big-db', kind: 'postgres', artifact: 'dump.pgc', startedAt: '', finishedAt: '', bytes: GIB, sha256, toolVersions: {} } as const;
    await writeFile(join(entryDir, 'manifest.json'), JSON.stringify(manifest));
    const entry: BackupEntry = { id: manifest.id, target: 'big-db', stamp: '20261201T020000Z', dir: entryDir, manifest };

    const run = await execa('node_modules/.bin/tsx', ['test/support/s3-copy-process.ts'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { COPY_ENTRY: JSON.stringify(entry), COPY_BUCKET: 'memory', COPY_ENDPOINT: s3.endpoint, S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey },
    });
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sha256Confirmed: string; confirmedBy: string; peakRssMiB: number };
    expect(result).toMatchObject({ sha256Confirmed: sha256, confirmedBy: 'storage-checksum' });
    expect(result.peakRssMiB).toBeLessThan(300);
    expect(await s3.keys('memory', 'memory/big-db/')).toEqual(['memory/big-db/20261201T020000Z/dump.pgc', 'memory/big-db/20261201T020000Z/manifest.json']);
  }, 300_000);
});
