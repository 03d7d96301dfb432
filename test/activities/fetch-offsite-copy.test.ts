import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOffsiteCopy } from '../../src/activities/offsite/fetch-copy.js';
import { S3Store } from '../../src/activities/offsite/s3-store.js';
import { parseConfig, type OpsConfig } from '../../src/config/load-config.js';
import type { S3Destination } from '../../src/config/offsite-destination.js';
import { Secret } from '../../src/config/secret.js';
import type { BackupEntry, BackupManifest } from '../../src/core/backup-record.js';
import { PreconditionFailed, TransientFailure } from '../../src/core/errors.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

let dir: string;
let s3: S3Server;
let entry: BackupEntry;
const never = new AbortController().signal;
const UNREACHABLE = 'http://127.0.0.1:1';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-fetch-offsite-'));
  s3 = await startS3Server(dir);
  await s3.createBucket('copies');
  const entryDir = join(dir, 'repo', 'app-db', '20261201T020000Z');
  await mkdir(entryDir, { recursive: true });
  const data = randomBytes(50_000);
  await writeFile(join(entryDir, 'dump.pgc'), data);
  const manifest = { formatVersion: 1, id: 'app-db-20261201T020000Z', target: 'app-db', kind: 'postgres', artifact: 'dump.pgc', startedAt: '', finishedAt: '', bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), toolVersions: {} } satisfies BackupManifest;
  await writeFile(join(entryDir, 'manifest.json'), JSON.stringify(manifest));
  entry = { id: manifest.id, target: 'app-db', stamp: '20261201T020000Z', dir: entryDir, manifest };
  const keys = { accessKeyId: new Secret(s3.accessKeyId, 'test'), secretAccessKey: new Secret(s3.secretAccessKey, 'test') };
  await new S3Store({ kind: 's3', bucket: 'copies', prefix: 'second', endpoint: s3.endpoint, forcePathStyle: true, storageChecksums: true, ...keys }).copy(entry, never);
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A config whose backup.offsite lists these S3 prefixes of the test server, in order; `unreachable` ones at a port nobody listens on. */
function configWith(destinations: Array<{ prefix: string; unreachable?: boolean }>): OpsConfig {
  const entries = destinations.map(
    ({ prefix, unreachable }) =>
      `    - { url: "s3://copies/${prefix}", endpoint: "${unreachable ? UNREACHABLE : s3.endpoint}", forcePathStyle: true, accessKeyId: "\${S3_KEY_ID}", secretAccessKey: "\${S3_SECRET}" }`,
  );
  return parseConfig(`stateDir: ${dir}/state\nbackup:\n  offsite:\n${entries.join('\n')}\n`, join(dir, 'ops.config.yaml'), { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey });
}

describe('fetchOffsiteCopy without --from: the first configured destination that has the copy', () => {
  it('passes over an unreachable destination and one without the copy, and fetches from the next', async () => {
    const config = configWith([{ prefix: 'first', unreachable: true }, { prefix: 'empty' }, { prefix: 'second' }]);
    const into = join(dir, 'fetched');
    const { manifest, from } = await fetchOffsiteCopy(config, { backupId: entry.id, dir: into }, never);
    expect(from).toBe('s3://copies/second');
    expect(manifest).toStrictEqual(entry.manifest);
    expect(createHash('sha256').update(await readFile(join(into, 'dump.pgc'))).digest('hex')).toBe(entry.manifest.sha256);
  });

  it('none has it: not retryable, each destination\'s answer in the message', async () => {
    const error = await fetchOffsiteCopy(configWith([{ prefix: 'empty' }, { prefix: 'second' }]), { backupId: 'app-db-20261202T020000Z', dir: join(dir, 'none') }, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect((error as Error).message).toBe('no offsite destination has app-db-20261202T020000Z (s3://copies/empty: no copy; s3://copies/second: no copy)');
  });

  it('none has it while one could not be asked: retryable, since that one may have it', async () => {
    const error = await fetchOffsiteCopy(configWith([{ prefix: 'first', unreachable: true }, { prefix: 'second' }]), { backupId: 'app-db-20261202T020000Z', dir: join(dir, 'maybe') }, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientFailure);
    // Each destination named once: the store's own message leads with it.
    expect((error as Error).message).toMatch(new RegExp(`^no offsite destination has app-db-20261202T020000Z \\(s3://copies/first at http://127\\.0\\.0\\.1:1: reading first/app-db/20261202T020000Z/manifest\\.json failed: connect ECONNREFUSED 127\\.0\\.0\\.1:1; s3://copies/second: no copy\\)$`));
  });

  it('none has it and one refuses the keys: not retryable, since asking again cannot help', async () => {
    const config = configWith([{ prefix: 'second' }]);
    const refused = { ...config.backup.offsite[0]!, prefix: 'first', secretAccessKey: new Secret('not-the-secret', 'test') } as S3Destination;
    const keyed = { ...config, backup: { ...config.backup, offsite: [refused, ...config.backup.offsite] } } as OpsConfig;
    const error = await fetchOffsiteCopy(keyed, { backupId: 'app-db-20261202T020000Z', dir: join(dir, 'refused') }, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect((error as Error).message).toMatch(new RegExp(`^no offsite destination has app-db-20261202T020000Z \\(s3://copies/first at ${s3.endpoint.replace(/[.]/g, '\\.')}: reading first/app-db/20261202T020000Z/manifest\\.json was refused \\(\\w+\\): check accessKeyId and secretAccessKey and the key's permissions on bucket copies; s3://copies/second: no copy\\)$`));
  });
});
