import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { partPlan } from '../../core/s3-part-plan.js';
import type { CopyConfirmation } from './offsite-store.js';

/**
 * Streams `body` to `key` as a multipart upload (a plain PUT below one part), each part with its
 * SHA-256 for the server to check. A multipart upload is not visible under its key until it is
 * completed, so a failed upload never leaves a partial object there; lib-storage aborts the upload
 * on failure, and what it cannot abort (the server went away) the next copy's sweep aborts.
 * `body` is a stream so that a transform (encryption) can sit between the file and the upload.
 */
export async function uploadObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: Readable,
  options: { bytes: number; checksums: boolean; cancelSignal: AbortSignal },
): Promise<void> {
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: body, ...(options.checksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}) },
    ...partPlan(options.bytes),
    leavePartsOnError: false,
  });
  const abort = () => void upload.abort().catch(() => undefined);
  options.cancelSignal.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
  } finally {
    options.cancelSignal.removeEventListener('abort', abort);
  }
}

/**
 * The SHA-256 of the object at `key` by the storage side's own account: its full-object SHA-256
 * where it has one (a single-part upload), else a hash of the object read back. A multipart
 * object's SHA-256 is a checksum of the parts' checksums, which no manifest can be compared with,
 * and several providers store no checksum at all. Without `checksums` (a store that refuses the
 * checksum headers) it is always read back.
 */
export async function confirmObject(client: S3Client, bucket: string, key: string, options: { checksums: boolean; cancelSignal: AbortSignal }): Promise<{ actual: string; confirmedBy: CopyConfirmation['confirmedBy'] }> {
  const { cancelSignal } = options;
  if (options.checksums) {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }), { abortSignal: cancelSignal });
    const stored = head.ChecksumSHA256;
    if (stored && !stored.includes('-') && head.ChecksumType !== 'COMPOSITE') {
      return { actual: Buffer.from(stored, 'base64').toString('hex'), confirmedBy: 'storage-checksum' };
    }
  }
  const hash = createHash('sha256');
  await pipeline(await readObject(client, bucket, key, cancelSignal), hash);
  return { actual: hash.digest('hex'), confirmedBy: 'read-back' };
}

export async function downloadObject(client: S3Client, bucket: string, key: string, file: string, cancelSignal: AbortSignal): Promise<void> {
  await pipeline(await readObject(client, bucket, key, cancelSignal), createWriteStream(file, { mode: 0o600 }));
}

async function readObject(client: S3Client, bucket: string, key: string, cancelSignal: AbortSignal): Promise<Readable> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: cancelSignal });
  return object.Body as Readable;
}
