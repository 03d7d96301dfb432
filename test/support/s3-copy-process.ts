/**
 * One offsite copy to S3 in a process of its own, so that its peak memory is its own: reads the
 * backup entry and the destination (keys in S3_KEY_ID / S3_SECRET) from the environment, copies,
 * and prints the confirmation and the process's peak RSS (VmHWM) as one JSON line.
 */
import { readFileSync } from 'node:fs';
import { S3Store } from '../../src/activities/offsite/s3-store.js';
import { Secret } from '../../src/config/secret.js';
import type { BackupEntry } from '../../src/core/backup-record.js';

const entry = JSON.parse(process.env.COPY_ENTRY!) as BackupEntry;
const store = new S3Store({
  kind: 's3',
  bucket: process.env.COPY_BUCKET!,
  prefix: 'memory',
  endpoint: process.env.COPY_ENDPOINT!,
  forcePathStyle: true,
  storageChecksums: true,
  accessKeyId: new Secret(process.env.S3_KEY_ID!, 'env'),
  secretAccessKey: new Secret(process.env.S3_SECRET!, 'env'),
});
const confirmed = await store.copy(entry, new AbortController().signal);
const peakKiB = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
console.log(JSON.stringify({ ...confirmed, peakRssMiB: Math.round(peakKiB / 1024) }));
