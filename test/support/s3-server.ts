import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../src/local-servers/free-port.js';
import { waitFor } from './wait-for.js';

const VERSITYGW = join(import.meta.dirname, '../../.tools/bin/versitygw');

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** the posix backend's root: each bucket a directory, each object a file under it */
  dataDir: string;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  /** every key in the bucket (under the prefix) */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  /** multipart uploads started and neither completed nor aborted */
  openUploads(bucket: string): Promise<string[]>;
  /** SIGKILL, as a crash or an unplugged server: no goodbye to clients mid-request */
  kill(): Promise<void>;
  /** starts it again on the same port and directory */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server: versitygw (built by scripts/install.sh) with its posix backend in
 * `dir`, on a free port, with a root key pair made for this run. The keys travel in its env, never
 * its argv. Not a stand-in: the SDK talks S3 over HTTP to it, as to any provider.
 */
export async function startS3Server(dir: string): Promise<S3Server> {
  const dataDir = join(dir, 's3-data');
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = `ops${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(20).toString('hex');
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(VERSITYGW, ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', dataDir], {
      env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child = started;
    await waitFor(`versitygw on ${endpoint}`, async () => {
      if (started.exitCode !== null) throw new Error(`versitygw exited ${started.exitCode}: ${stderr}`);
      return client.send(new ListBucketsCommand({})).then(() => true, () => false);
    }, 20_000);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();

  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    dataDir,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async keys(bucket, prefix = '') {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((o) => o.Key!).sort();
    },
    async openUploads(bucket) {
      const listing = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      return (listing.Uploads ?? []).map((u) => u.Key!);
    },
    kill,
    restart: start,
    async stop() {
      await kill();
      client.destroy();
    },
  };
}
