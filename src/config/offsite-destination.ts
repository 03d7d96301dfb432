import { describeLocation, parseLocation, type Location } from './location.js';
import type { Secret } from './secret.js';

/** A bucket (and key prefix) on S3-compatible object storage. Without keys, the standard AWS credential chain applies. */
export interface S3Destination {
  kind: 's3';
  bucket: string;
  /** key prefix without leading or trailing slash; '' for the bucket's root */
  prefix: string;
  /** e.g. https://s3.eu-central-003.backblazeb2.com; absent for AWS S3 itself */
  endpoint?: string;
  region?: string;
  forcePathStyle: boolean;
  /** false for stores that refuse the x-amz-checksum-* headers (Backblaze B2): every copy is then confirmed by read-back */
  storageChecksums: boolean;
  accessKeyId?: Secret;
  secretAccessKey?: Secret;
}

/** Where an offsite copy goes: a directory (local or over ssh), or object storage. */
export type OffsiteDestination = Location | S3Destination;

// Bucket names as S3 allows them (3-63 characters of lower-case letters, digits, dots and hyphens).
const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** `s3://bucket/prefix` without its connection settings; those come from the object form of the entry. */
export function parseS3Url(text: string): Pick<S3Destination, 'bucket' | 'prefix'> {
  const match = S3_URL.exec(text);
  if (!match) throw new Error(`expected s3://bucket/prefix with a bucket of 3-63 lower-case letters, digits, dots or hyphens, got "${text}"`);
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** A path, ssh:// or s3:// string; the other schemes are named as unsupported. */
export function parseOffsiteUrl(text: string, baseDir: string): OffsiteDestination {
  if (text.startsWith('s3://')) return { kind: 's3', ...parseS3Url(text), forcePathStyle: false, storageChecksums: true };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !text.startsWith('ssh://')) throw new Error(`unsupported scheme in "${text}": use a path, ssh:// or s3://`);
  return parseLocation(text, baseDir);
}

/** The destination's name in offsite.json, reports, alerts and `--from`: its URL, never its credentials. */
export function describeDestination(destination: OffsiteDestination): string {
  if (destination.kind !== 's3') return describeLocation(destination);
  return `s3://${destination.bucket}${destination.prefix ? `/${destination.prefix}` : ''}`;
}
