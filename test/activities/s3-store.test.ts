import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Destination } from '../../src/config/offsite-destination.js';
import { Secret } from '../../src/config/secret.js';
import { S3Store } from '../../src/activities/offsite/s3-store.js';
import type { BackupEntry, BackupManifest } from '../../src/core/backup-record.js';
import { PreconditionFailed, TransientFailure, VerifyFailed } from '../../src/core/errors.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

let dir: string;
let s3: S3Server;
const never = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-s3-store-'));
  s3 = await startS3Server(dir);
  await s3.createBucket('backups');
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

function destination(overrides: Partial<S3Destination> = {}): S3Destination {
  return {
    kind: 's3', bucket: 'backups', prefix: 'ops/nightly', endpoint: s3.endpoint, forcePathStyle: true, storageChecksums: true,
    accessKeyId: new Secret(s3.accessKeyId, 'test'), secretAccessKey: new Secret(s3.secretAccessKey, 'test'), ...overrides,
  };
}

/** A multipart upload in 5 MiB parts (ops cuts 8 MiB), with SHA-256 checksums: as another tool would leave it. */
async function uploadElsewise(key: string, body: Buffer): Promise<void> {
  await new Upload({ client: s3.client, params: { Bucket: 'backups', Key: key, Body: body, ChecksumAlgorithm: 'SHA256' }, partSize: 5 * 1024 * 1024 }).done();
}

/**
 * A multipart upload started, one part in, never completed: what a copy cut short leaves. Aged by
 * its directory's mtime, which is what versitygw reports as its Initiated time.
 */
async function startUpload(key: string, { daysAgo }: { daysAgo: number }): Promise<string> {
  const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: 'backups', Key: key }));
  await s3.client.send(new UploadPartCommand({ Bucket: 'backups', Key: key, UploadId, PartNumber: 1, Body: randomBytes(1000) }));
  const multipart = join(s3.dataDir, 'backups', '.sgwtmp', 'multipart');
  const uploadDir = (await readdir(multipart)).map((objectDir) => join(multipart, objectDir, UploadId!)).find((candidate) => existsSync(candidate));
  const then = new Date(Date.now() - daysAgo * 24 * 3600 * 1000);
  await utimes(uploadDir!, then, then);
  return UploadId!;
}

/** Runs with these environment variables set (undefined: unset), then puts the environment back. */
async function withEnv<T>(vars: Record<string, string | undefined>, run: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    return await run();
  } finally {
    apply(saved);
  }
}

/** A dump backup in a directory of its own, as the repository holds it. */
async function dumpEntry(target: string, stamp: string, bytes: number): Promise<BackupEntry> {
  const entryDir = join(dir, 'repo', target, stamp);
  await mkdir(entryDir, { recursive: true });
  const data = randomBytes(bytes);
  await writeFile(join(entryDir, 'dump.sql.zst'), data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const manifest = { formatVersion: 1, id: `${target}-${stamp}`, target, kind: 'postgres', artifact: 'dump.sql.zst', startedAt: '', finishedAt: '', bytes, sha256, toolVersions: {} } satisfies BackupManifest;
  await writeFile(join(entryDir, 'manifest.json'), JSON.stringify(manifest));
  return { id: manifest.id, target, stamp, dir: entryDir, manifest };
}

describe('S3Store against a real S3-compatible server (versitygw)', () => {
  it('copies a dump (single part) under <prefix>/<target>/<stamp>/, confirmed by the server\'s own SHA-256', async () => {
    const entry = await dumpEntry('app-db', '20261201T020000Z', 100_000);
    const store = new S3Store(destination());
    expect(await store.copy(entry, never)).toStrictEqual({ sha256Confirmed: entry.manifest.sha256, confirmedBy: 'storage-checksum' });
    expect(await s3.keys('backups', 'ops/nightly/app-db/')).toStrictEqual(['ops/nightly/app-db/20261201T020000Z/dump.sql.zst', 'ops/nightly/app-db/20261201T020000Z/manifest.json']);
    expect(await store.has('app-db', '20261201T020000Z')).toBe(true);
    // What `backups list --offsite` shows of it, read back; and the probe `config check --connect` makes.
    expect(await store.readManifest('app-db', '20261201T020000Z')).toStrictEqual(entry.manifest);
    await expect(store.probe()).resolves.toBeUndefined();
  });

  it('copies a multipart artifact, confirmed by the server\'s composite SHA-256 matching that of the parts that went up', async () => {
    const entry = await dumpEntry('big-db', '20261201T020000Z', 20 * 1024 * 1024 + 123);
    const store = new S3Store(destination());
    expect(await store.copy(entry, never)).toStrictEqual({ sha256Confirmed: entry.manifest.sha256, confirmedBy: 'storage-checksum' });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'backups', Key: 'ops/nightly/big-db/20261201T020000Z/dump.sql.zst', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toMatch(/-3$/);
    const fetched = join(dir, 'fetched-big');
    await mkdir(fetched);
    await store.fetch('big-db', '20261201T020000Z', fetched, never);
    expect(createHash('sha256').update(await readFile(join(fetched, 'dump.sql.zst'))).digest('hex')).toBe(entry.manifest.sha256);
    expect(JSON.parse(await readFile(join(fetched, 'manifest.json'), 'utf8'))).toStrictEqual(entry.manifest);
    expect(await s3.openUploads('backups')).toStrictEqual([]);
  });

  it('with storageChecksums off (a store that refuses the checksum headers), a single-part copy is confirmed by read-back', async () => {
    const entry = await dumpEntry('plain-db', '20261201T020000Z', 1000);
    expect(await new S3Store(destination({ storageChecksums: false })).copy(entry, never)).toStrictEqual({ sha256Confirmed: entry.manifest.sha256, confirmedBy: 'read-back' });
  });

  it('a file snapshot goes up one object per file, each checked against its own sha256, an empty file included; a fetch brings back exactly those files', async () => {
    const entryDir = join(dir, 'repo', 'docs', '20261201T020000Z');
    await mkdir(join(entryDir, 'snapshot', 'sub'), { recursive: true });
    const contents: Record<string, Buffer> = { 'empty.txt': Buffer.alloc(0), 'sub/x.bin': randomBytes(3000) };
    for (const [path, data] of Object.entries(contents)) await writeFile(join(entryDir, 'snapshot', path), data);
    const files = Object.entries(contents).map(([path, data]) => ({ path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }));
    const manifest = { formatVersion: 1, id: 'docs-20261201T020000Z', target: 'docs', kind: 'files', artifact: 'snapshot', startedAt: '', finishedAt: '', bytes: 3000, sha256: 'digest', toolVersions: {}, files } satisfies BackupManifest;
    await writeFile(join(entryDir, 'manifest.json'), JSON.stringify(manifest));
    const store = new S3Store(destination());

    expect(await store.copy({ id: manifest.id, target: 'docs', stamp: '20261201T020000Z', dir: entryDir, manifest }, never)).toStrictEqual({ sha256Confirmed: 'digest', confirmedBy: 'storage-checksum' });
    expect(await s3.keys('backups', 'ops/nightly/docs/')).toStrictEqual(['manifest.json', 'snapshot/empty.txt', 'snapshot/sub/x.bin'].map((k) => `ops/nightly/docs/20261201T020000Z/${k}`));
    const fetched = join(dir, 'fetched-docs');
    await mkdir(fetched);
    await store.fetch('docs', '20261201T020000Z', fetched, never);
    for (const [path, data] of Object.entries(contents)) expect(await readFile(join(fetched, 'snapshot', path))).toEqual(data);
  });

  it('a second copy of the same backup re-confirms the copy there and uploads nothing', async () => {
    const entry = await dumpEntry('again-db', '20261201T020000Z', 1000);
    const store = new S3Store(destination());
    await store.copy(entry, never);
    await writeFile(join(entry.dir, 'dump.sql.zst'), 'changed locally');
    expect((await store.copy(entry, never)).sha256Confirmed).toBe(entry.manifest.sha256);
  });

  it('a multipart copy found in place with parts cut otherwise (another uploader) is confirmed by reading it back', async () => {
    const entry = await dumpEntry('other-parts-db', '20261201T020000Z', 12 * 1024 * 1024);
    const base = 'ops/nightly/other-parts-db/20261201T020000Z';
    await uploadElsewise(`${base}/dump.sql.zst`, await readFile(join(entry.dir, 'dump.sql.zst')));
    await s3.client.send(new PutObjectCommand({ Bucket: 'backups', Key: `${base}/manifest.json`, Body: JSON.stringify(entry.manifest) }));
    expect(await new S3Store(destination()).copy(entry, never)).toStrictEqual({ sha256Confirmed: entry.manifest.sha256, confirmedBy: 'read-back' });
  });

  it('a copy found in place without a stored SHA-256 (a store that keeps none) is confirmed by reading it back', async () => {
    const entry = await dumpEntry('no-sha-db', '20261201T020000Z', 12 * 1024 * 1024);
    const base = 'ops/nightly/no-sha-db/20261201T020000Z';
    await new Upload({ client: s3.client, params: { Bucket: 'backups', Key: `${base}/dump.sql.zst`, Body: await readFile(join(entry.dir, 'dump.sql.zst')) }, partSize: 8 * 1024 * 1024 }).done();
    await s3.client.send(new PutObjectCommand({ Bucket: 'backups', Key: `${base}/manifest.json`, Body: JSON.stringify(entry.manifest) }));
    expect((await s3.client.send(new HeadObjectCommand({ Bucket: 'backups', Key: `${base}/dump.sql.zst`, ChecksumMode: 'ENABLED' }))).ChecksumSHA256).toBeUndefined();
    expect(await new S3Store(destination()).copy(entry, never)).toStrictEqual({ sha256Confirmed: entry.manifest.sha256, confirmedBy: 'read-back' });
  });

  it('a multipart copy found in place whose bytes are not the backup\'s: the composite differs, the read-back names the key', async () => {
    const entry = await dumpEntry('swapped-db', '20261201T020000Z', 12 * 1024 * 1024);
    const base = 'ops/nightly/swapped-db/20261201T020000Z';
    const other = randomBytes(12 * 1024 * 1024);
    await uploadElsewise(`${base}/dump.sql.zst`, other);
    await s3.client.send(new PutObjectCommand({ Bucket: 'backups', Key: `${base}/manifest.json`, Body: JSON.stringify(entry.manifest) }));
    const error = await new S3Store(destination()).copy(entry, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyFailed);
    const actual = createHash('sha256').update(other).digest('hex');
    expect((error as Error).message).toBe(`offsite copy of swapped-db-20261201T020000Z at s3://backups/ops/nightly: ${base}/dump.sql.zst has sha256 ${actual.slice(0, 12)}…, expected ${entry.manifest.sha256.slice(0, 12)}…`);
  });

  it('an object whose bytes differ from the manifest fails the copy, naming the key', async () => {
    const entry = await dumpEntry('bad-db', '20261201T020000Z', 1000);
    const real = entry.manifest.sha256;
    entry.manifest.sha256 = 'f'.repeat(64);
    const error = await new S3Store(destination()).copy(entry, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyFailed);
    expect((error as Error).message).toBe(`offsite copy of bad-db-20261201T020000Z at s3://backups/ops/nightly: ops/nightly/bad-db/20261201T020000Z/dump.sql.zst has sha256 ${real.slice(0, 12)}…, expected ffffffffffff…`);
  });

  it('wrong keys: not retryable, one line naming the endpoint and bucket, never the secret', async () => {
    const entry = await dumpEntry('denied-db', '20261201T020000Z', 1000);
    const wrong = 'not-the-secret-' + randomBytes(8).toString('hex');
    const error = await new S3Store(destination({ secretAccessKey: new Secret(wrong, 'test') })).copy(entry, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailed);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^s3://backups/ops/nightly at ${s3.endpoint}: listing uploads under ops/nightly/ was refused \\(SignatureDoesNotMatch\\): check accessKeyId and secretAccessKey and the key's permissions on bucket backups$`));
    expect(message).not.toContain(wrong);
  });

  it('no keys in the config and none in the worker\'s AWS credential chain: not retryable, "no S3 credentials", not "refused"', async () => {
    const entry = await dumpEntry('keyless-db', '20261201T020000Z', 1000);
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    // Nowhere else to look: no credentials files, no instance metadata.
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' });
    try {
      const { accessKeyId: _, secretAccessKey: __, ...keyless } = destination();
      const error = await new S3Store(keyless).copy(entry, never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PreconditionFailed);
      expect((error as Error).message).toBe(`s3://backups/ops/nightly at ${s3.endpoint}: listing uploads under ops/nightly/ could not be signed: no S3 credentials: give accessKeyId and secretAccessKey on the destination, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or another source of the AWS credential chain) to this worker`);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it('a missing bucket: not retryable, naming it', async () => {
    const entry = await dumpEntry('lost-db', '20261201T020000Z', 1000);
    const error = await new S3Store(destination({ bucket: 'no-such-bucket' })).copy(entry, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect((error as Error).message).toBe(`s3://no-such-bucket/ops/nightly at ${s3.endpoint}: bucket no-such-bucket does not exist`);
  });

  it('an unreachable endpoint is the world\'s fault: retryable', async () => {
    const entry = await dumpEntry('far-db', '20261201T020000Z', 1000);
    const error = await new S3Store(destination({ endpoint: 'http://127.0.0.1:1' })).copy(entry, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientFailure);
    expect((error as Error).message).toMatch(/^s3:\/\/backups\/ops\/nightly at http:\/\/127\.0\.0\.1:1: listing uploads under .* failed: /);
  });

  it('before a copy, aborts uploads left under the destination\'s prefix over a day ago and any of this copy\'s own; a younger one of another copy, and one outside the prefix, are left alone', async () => {
    const store = new S3Store(destination({ prefix: 'sweep' }));
    const old = await startUpload('sweep/gone-db/20261101T020000Z/dump.sql.zst', { daysAgo: 2 });
    const young = await startUpload('sweep/busy-db/20261201T020000Z/dump.sql.zst', { daysAgo: 0 });
    const own = await startUpload('sweep/own-db/20261201T020000Z/dump.sql.zst', { daysAgo: 0 });
    const elsewhere = await startUpload('other/gone-db/20261101T020000Z/dump.sql.zst', { daysAgo: 2 });
    await store.copy(await dumpEntry('own-db', '20261201T020000Z', 1000), never);
    const open = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: 'backups' }));
    const left = (open.Uploads ?? []).map((u) => u.UploadId);
    expect(left).toEqual(expect.arrayContaining([young, elsewhere]));
    expect(left).not.toContain(old);
    expect(left).not.toContain(own);
  });

  it('without keys in the config, the standard AWS chain supplies them: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', async () => {
    const entry = await dumpEntry('env-chain-db', '20261201T020000Z', 1000);
    const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_PROFILE: undefined };
    await withEnv(env, () => expect(new S3Store(destination({ accessKeyId: undefined, secretAccessKey: undefined })).copy(entry, never)).resolves.toMatchObject({ sha256Confirmed: entry.manifest.sha256 }));
  });

  it('without keys in the config, the standard AWS chain supplies them: a shared credentials file and AWS_PROFILE', async () => {
    const entry = await dumpEntry('file-chain-db', '20261201T020000Z', 1000);
    const credentials = join(dir, 'aws-credentials');
    await writeFile(credentials, `[backups]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`, { mode: 0o600 });
    const env = { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: join(dir, 'no-aws-config'), AWS_PROFILE: 'backups', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
    await withEnv(env, () => expect(new S3Store(destination({ accessKeyId: undefined, secretAccessKey: undefined })).copy(entry, never)).resolves.toMatchObject({ sha256Confirmed: entry.manifest.sha256 }));
  });

  it('signs for the configured region: one the server is not in is refused, not retried', async () => {
    const entry = await dumpEntry('region-db', '20261201T020000Z', 1000);
    const error = await new S3Store(destination({ region: 'eu-central-003' })).copy(entry, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect((error as Error).message).toBe(
      `s3://backups/ops/nightly at ${s3.endpoint}: listing uploads under ops/nightly/ was refused (AuthorizationHeaderMalformed): The authorization header is malformed; the region "eu-central-003" is wrong; expecting "us-east-1": check region (signing for eu-central-003)`,
    );
  });

  it('lists complete copies only, removes one manifest first, and sweeps old stamps a removal left without one', async () => {
    const store = new S3Store(destination({ prefix: 'ret' }));
    for (const stamp of ['20261101T020000Z', '20261102T020000Z']) await store.copy(await dumpEntry('keep-db', stamp, 500), never);
    await s3.client.send(new PutObjectCommand({ Bucket: 'backups', Key: 'ret/keep-db/20261001T020000Z/dump.sql.zst', Body: 'half removed' }));
    expect(await store.listStamps('keep-db')).toStrictEqual(['20261101T020000Z', '20261102T020000Z']);
    expect(await s3.keys('backups', 'ret/keep-db/20261001T020000Z/')).toStrictEqual([]);
    await store.remove('keep-db', '20261101T020000Z');
    expect(await store.listStamps('keep-db')).toStrictEqual(['20261102T020000Z']);
    expect(await s3.keys('backups', 'ret/keep-db/')).toStrictEqual(['ret/keep-db/20261102T020000Z/dump.sql.zst', 'ret/keep-db/20261102T020000Z/manifest.json']);
  });
});
