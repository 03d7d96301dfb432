import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { sameComposite } from '../../core/s3-composite-checksum.js';
import { partPlan } from '../../core/s3-part-plan.js';
import type { CopyConfirmation } from './offsite-store.js';
import { PartDigests, type UploadDigests } from './part-digests.js';

/**
 * Streams `body` to `key` as a multipart upload (a plain PUT below one part), each part with its
 * SHA-256 for the server to check. A multipart upload is not visible under its key until it is
 * completed, so a failed upload never leaves a partial object there; lib-storage aborts the upload
 * on failure, and what it cannot abort (the server went away) the next copy's sweep aborts.
 * `body` is a stream so that a transform (encryption) can sit between the file and the upload.
 * Returns what the bytes that went up hash to, whole and per part, for `confirmObject`.
 */
export async function uploadObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: Readable,
  options: { bytes: number; checksums: boolean; cancelSignal: AbortSignal },
): Promise<UploadDigests> {
  const plan = partPlan(options.bytes);
  const digests = new PartDigests(plan.partSize);
  body.on('error', (err) => digests.destroy(err));
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: body.pipe(digests), ...(options.checksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}) },
    ...plan,
    leavePartsOnError: false,
  });
  const abort = () => void upload.abort().catch(() => undefined);
  options.cancelSignal.addEventListener('abort', abort, { once: true });
  try {
    await upload.done();
    return digests.digests();
  } finally {
    options.cancelSignal.removeEventListener('abort', abort);
    // A failed upload stops reading mid-file: the file is closed now, not when collected.
    body.destroy();
  }
}

/**
 * The SHA-256 of the object at `key` by the storage side's own account. A single-part upload has
 * a full-object SHA-256. A multipart object has only a composite (a SHA-256 of its parts'
 * SHA-256s): when it equals the composite of the bytes that went up (`uploaded`), the storage side
 * holds exactly those parts, so their whole SHA-256 is the object's. Otherwise (no checksum kept,
 * another part size, or a mismatch that the read-back then pins down) the object is read back and
 * hashed. Without `checksums` (a store that refuses the checksum headers) it is always read back.
 */
export async function confirmObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: { checksums: boolean; cancelSignal: AbortSignal; uploaded?: UploadDigests },
): Promise<{ actual: string; confirmedBy: CopyConfirmation['confirmedBy'] }> {
  const { cancelSignal, uploaded } = options;
  if (options.checksums) {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }), { abortSignal: cancelSignal });
    const stored = head.ChecksumSHA256;
    const composite = stored?.includes('-') || head.ChecksumType === 'COMPOSITE';
    if (stored && !composite) return { actual: Buffer.from(stored, 'base64').toString('hex'), confirmedBy: 'storage-checksum' };
    if (stored && uploaded && sameComposite(stored, uploaded.composite)) return { actual: uploaded.sha256, confirmedBy: 'storage-checksum' };
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
