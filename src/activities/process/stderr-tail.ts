import type { Readable } from 'node:stream';

export interface TailOptions {
  limit?: number;
  /** Lines that report progress (see Command.progressLine): handed to onProgressLine, not kept. */
  progressLine?: RegExp | undefined;
  onProgressLine?: ((line: string) => void) | undefined;
}

/** Keeps the last few KiB a child wrote to stderr: enough for an error message, bounded in memory. */
export function collectTail(stream: Readable | null | undefined, options: TailOptions = {}): () => string {
  const limit = options.limit ?? 4096;
  const { progressLine, onProgressLine } = options;
  let tail = '';
  if (!progressLine) {
    stream?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-limit);
    });
    return () => tail;
  }
  // Progress is told apart line by line: a chunk can end mid-line, whose rest waits for the next.
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (progressLine.test(line)) onProgressLine?.(line);
      else tail = (tail + line + '\n').slice(-limit);
    }
  });
  return () => (progressLine.test(partial) ? tail : (tail + partial).slice(-limit));
}
