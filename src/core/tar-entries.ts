import type { SnapshotFile } from './backup-record.js';

/** The files tarHashEntries printed (`<sha256> <size> <path>\0` each), paths without tar's `./`, sorted. */
export function parseTarHashes(output: string): SnapshotFile[] {
  const files: SnapshotFile[] = [];
  for (const record of output.split('\0')) {
    if (record === '') continue;
    const match = /^([0-9a-f]{64}) (\d+) (.+)$/s.exec(record);
    if (!match) throw new Error(`unexpected tar hash record: ${JSON.stringify(record.slice(0, 80))}`);
    files.push({ path: match[3]!.replace(/^\.\//, ''), bytes: Number(match[2]), sha256: match[1]! });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
