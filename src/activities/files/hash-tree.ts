import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { SnapshotFile } from '../../core/backup-record.js';

/** Streams a file through sha256; never reads it whole into memory. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Every regular file under root with its size and sha256, paths relative to root, sorted. */
export async function hashTree(root: string, onFile?: () => void): Promise<SnapshotFile[]> {
  const files: SnapshotFile[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: relative(root, full), bytes: (await stat(full)).size, sha256: await sha256OfFile(full) });
    onFile?.();
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
