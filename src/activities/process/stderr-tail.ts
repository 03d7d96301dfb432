import type { Readable } from 'node:stream';

/** Keeps the last few KiB a child wrote to stderr: enough for an error message, bounded in memory. */
export function collectTail(stream: Readable | null | undefined, limit = 4096): () => string {
  let tail = '';
  stream?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-limit);
  });
  return () => tail;
}
