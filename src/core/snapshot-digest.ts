import { createHash } from 'node:crypto';
import type { SnapshotFile } from '../core/backup-record.js';

/** One checksum for a whole file snapshot: sha256 over its sorted "sha256 bytes path" lines. */
export function snapshotDigest(files: SnapshotFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.sha256} ${file.bytes} ${file.path}\n`);
  }
  return hash.digest('hex');
}

/** What differs between the files a snapshot should hold and the files found. */
export function compareSnapshots(expected: SnapshotFile[], actual: SnapshotFile[]): string[] {
  const found = new Map(actual.map((f) => [f.path, f]));
  const problems: string[] = [];
  for (const file of expected) {
    const other = found.get(file.path);
    if (!other) problems.push(`missing file ${file.path}`);
    else if (other.sha256 !== file.sha256) problems.push(`checksum differs for ${file.path}`);
    found.delete(file.path);
  }
  for (const path of found.keys()) problems.push(`unexpected file ${path}`);
  return problems;
}
