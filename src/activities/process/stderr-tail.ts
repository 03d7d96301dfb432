import type { Readable } from 'node:stream';

export interface TailOptions {
  limit?: number;
  /** Lines that report progress (see Command.progressLine): handed to onProgressLine, not kept. */
  progressLine?: RegExp | undefined;
  onProgressLine?: ((line: string) => void) | undefined;
}

/**
 * Keeps the last few KiB a child wrote to stderr: enough for an error message, bounded in memory.
 * It goes line by line, so that progress lines can be told apart: a chunk can end mid-line, whose
 * rest waits for the next chunk (a line longer than the limit is kept as it comes).
 */
export function collectTail(stream: Readable | null | undefined, options: TailOptions = {}): () => string {
  const limit = options.limit ?? 4096;
  const { progressLine, onProgressLine } = options;
  let tail = '';
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (progressLine?.test(line)) onProgressLine?.(line);
      else tail = (tail + line + '\n').slice(-limit);
    }
    if (partial.length > limit) {
      tail = partial.slice(-limit);
      partial = '';
    }
  });
  return () => (progressLine?.test(partial) ? tail : (tail + partial).slice(-limit));
}
