import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeDestination, type S3Destination } from '../../config/offsite-destination.js';
import { dateOfStamp, isStamp } from '../../core/backup-id.js';
import { isSnapshotTree, type BackupEntry, type BackupManifest } from '../../core/backup-record.js';
import { OpsError, VerifyFailed } from '../../core/errors.js';
import { partPlan } from '../../core/s3-part-plan.js';
import type { CopyConfirmation, OffsiteStore } from './offsite-store.js';
import { s3ClientFor, s3Failure } from './s3-client.js';
import { digestsOfFile, type UploadDigests } from './part-digests.js';
import { confirmObject, downloadObject, uploadObject } from './s3-object.js';

const MANIFEST = 'manifest.json';
/** A stamp with objects but no manifest this long after its time is what a cut-short copy or removal left. */
const LEFTOVER_AFTER_MS = 24 * 3600 * 1000;
/** An upload started this long ago is no attempt's any more: a copy attempt is cut off after the long steps' 6 hours. */
const ORPHANED_UPLOAD_AFTER_MS = 24 * 3600 * 1000;

/**
 * A bucket (under a prefix) on S3-compatible storage: <prefix>/<target>/<stamp>/<artifact> and
 * manifest.json beside it; a snapshot's files under <stamp>/<artifact>/<path>, one object each,
 * each confirmed against its own sha256. The manifest goes up last and comes down first: a stamp
 * is a complete copy exactly when its manifest is there.
 */
export class S3Store implements OffsiteStore {
  readonly name: string;
  private readonly client: S3Client;
  constructor(private readonly destination: S3Destination) {
    this.name = describeDestination(destination);
    this.client = s3ClientFor(destination);
  }

  async copy(entry: BackupEntry, cancelSignal: AbortSignal): Promise<CopyConfirmation> {
    const { target, stamp, manifest } = entry;
    const base = this.keyOf(target, stamp);
    await this.abortOrphanedUploads(`${base}/`);
    const present = await this.has(target, stamp);
    const checked = { checksums: this.destination.storageChecksums, cancelSignal };
    let confirmedBy: CopyConfirmation['confirmedBy'] = 'storage-checksum';
    for (const file of filesOf(manifest)) {
      const key = `${base}/${file.path}`;
      const local = join(entry.dir, file.path);
      const uploaded = present
        ? await digestsInPlace(local, file.bytes)
        : await this.s3(`uploading ${key}`, () => uploadObject(this.client, this.destination.bucket, key, createReadStream(local), { ...checked, bytes: file.bytes }));
      const { actual, confirmedBy: how } = await this.s3(`confirming ${key}`, () => confirmObject(this.client, this.destination.bucket, key, { ...checked, uploaded }));
      if (actual !== file.sha256) {
        throw new VerifyFailed(`offsite copy of ${entry.id} at ${this.name}: ${key} has sha256 ${actual.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…`);
      }
      if (how === 'read-back') confirmedBy = 'read-back';
    }
    if (!present) {
      const body = await readFile(join(entry.dir, MANIFEST));
      await this.s3(`writing ${base}/${MANIFEST}`, () => this.client.send(new PutObjectCommand({ Bucket: this.destination.bucket, Key: `${base}/${MANIFEST}`, Body: body, ...(checked.checksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}) }), { abortSignal: cancelSignal }));
    }
    return { sha256Confirmed: manifest.sha256, confirmedBy };
  }

  async has(target: string, stamp: string): Promise<boolean> {
    const key = `${this.keyOf(target, stamp)}/${MANIFEST}`;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.destination.bucket, Key: key }));
      return true;
    } catch (err) {
      // HEAD has no body: a missing key is a bare 404 (NotFound); a missing bucket shows on the next call, named.
      if (err instanceof Error && err.name === 'NotFound') return false;
      throw s3Failure(this.destination, `reading ${key}`, err);
    }
  }

  async fetch(target: string, stamp: string, dir: string, cancelSignal: AbortSignal): Promise<void> {
    const base = this.keyOf(target, stamp);
    await this.s3(`fetching ${base}/${MANIFEST}`, () => downloadObject(this.client, this.destination.bucket, `${base}/${MANIFEST}`, join(dir, MANIFEST), cancelSignal));
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as BackupManifest;
    for (const file of filesOf(manifest)) {
      await mkdir(dirname(join(dir, file.path)), { recursive: true });
      await this.s3(`fetching ${base}/${file.path}`, () => downloadObject(this.client, this.destination.bucket, `${base}/${file.path}`, join(dir, file.path), cancelSignal));
    }
  }

  async listStamps(target: string): Promise<string[]> {
    const keys = await this.keysUnder(`${this.keyOf(target)}/`);
    const stamps = new Set<string>();
    const complete = new Set<string>();
    for (const key of keys) {
      const [stamp, ...rest] = key.split('/');
      if (!stamp || !isStamp(stamp)) continue;
      stamps.add(stamp);
      if (rest.join('/') === MANIFEST) complete.add(stamp);
    }
    for (const stamp of stamps) {
      if (!complete.has(stamp) && Date.now() - dateOfStamp(stamp).getTime() > LEFTOVER_AFTER_MS) await this.remove(target, stamp);
    }
    return [...complete].sort();
  }

  /** The manifest first: a removal cut short leaves a stamp without one, which no listing counts and the next sweep takes. */
  async remove(target: string, stamp: string): Promise<void> {
    const base = this.keyOf(target, stamp);
    const rest = (await this.keysUnder(`${base}/`)).filter((k) => k !== MANIFEST);
    for (const key of [MANIFEST, ...rest]) {
      await this.s3(`deleting ${base}/${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.destination.bucket, Key: `${base}/${key}` })));
    }
  }

  /**
   * Uploads a failed attempt could not abort (the server or the worker went away) hold storage
   * until aborted, and no provider lists them as objects. Before each copy: every upload of this
   * copy's own objects (an earlier attempt's), and any under the destination's prefix started over
   * a day ago (a copy whose retries gave up; a younger one may be another copy under way).
   */
  private async abortOrphanedUploads(ownPrefix: string): Promise<void> {
    const { bucket, prefix } = this.destination;
    const under = prefix ? `${prefix}/` : '';
    const orphanedBefore = Date.now() - ORPHANED_UPLOAD_AFTER_MS;
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const listing = await this.s3(`listing uploads under ${under || 'the bucket\'s root'}`, () => this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: under, ...markers })));
      for (const { Key: key, UploadId: uploadId, Initiated: initiated } of listing.Uploads ?? []) {
        if (!key?.startsWith(ownPrefix) && !(initiated && initiated.getTime() < orphanedBefore)) continue;
        await this.s3(`aborting the upload of ${key}`, () => this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })));
      }
      if (!listing.IsTruncated) return;
      markers = { KeyMarker: listing.NextKeyMarker, UploadIdMarker: listing.NextUploadIdMarker };
    }
  }

  async readManifest(target: string, stamp: string): Promise<BackupManifest> {
    const key = `${this.keyOf(target, stamp)}/${MANIFEST}`;
    const object = await this.s3(`reading ${key}`, () => this.client.send(new GetObjectCommand({ Bucket: this.destination.bucket, Key: key })));
    return JSON.parse(await object.Body!.transformToString('utf8')) as BackupManifest;
  }

  async probe(): Promise<void> {
    const prefix = `${this.keyOf('')}/`;
    await this.s3(`listing ${prefix}`, () => this.client.send(new ListObjectsV2Command({ Bucket: this.destination.bucket, Prefix: prefix, MaxKeys: 1 })));
  }

  /** Every key under the prefix, relative to it. */
  private async keysUnder(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3(`listing ${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.destination.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private keyOf(target: string, stamp?: string): string {
    return [this.destination.prefix, target, stamp].filter((part) => part).join('/');
  }

  /** Runs one S3 call, its error named by what was being done and where. */
  private async s3<T>(doing: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw err instanceof OpsError ? err : s3Failure(this.destination, doing, err);
    }
  }
}

/**
 * A multipart copy found complete (a retried step) is confirmed against the local file's digests:
 * a local read instead of a download. A single part's stored SHA-256 is the object's own.
 */
async function digestsInPlace(file: string, bytes: number): Promise<UploadDigests | undefined> {
  const { partSize } = partPlan(bytes);
  return bytes > partSize ? digestsOfFile(file, partSize) : undefined;
}

/** The objects a copy consists of, with the sha256 each must have: the dump (and its sealed table counts), or every file of a snapshot. */
function filesOf(manifest: BackupManifest): Array<{ path: string; sha256: string; bytes: number }> {
  if (!isSnapshotTree(manifest)) {
    const sealed = manifest.encryption?.sealed;
    return [{ path: manifest.artifact, sha256: manifest.sha256, bytes: manifest.bytes }, ...(sealed ? [{ path: sealed.file, sha256: sealed.sha256, bytes: sealed.bytes }] : [])];
  }
  return (manifest.files ?? []).map((f) => ({ path: `${manifest.artifact}/${f.path}`, sha256: f.sha256, bytes: f.bytes }));
}
