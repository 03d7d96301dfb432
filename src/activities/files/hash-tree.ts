import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { SnapshotFile } from '../../core/backup-record.js';

/** Read size for hashing: large enough that reads are few, small enough to stay out of the way. */
const HASH_CHUNK_BYTES = 1 << 20;

/**
 * A file's sha256, read in chunks into one buffer; never the whole file in memory. One reused
 * buffer rather than a read stream's fresh 64 KiB chunks: in a worker, whose heap is large, the
 * stream's garbage cost more CPU than the hashing (it ran beside a restore, on its cores).
 */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(size, HASH_CHUNK_BYTES)));
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
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
