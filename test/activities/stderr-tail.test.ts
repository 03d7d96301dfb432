import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectTail } from '../../src/activities/process/stderr-tail.js';

/** Writes `chunks` to a stream collectTail reads, and waits for them to be read. */
async function feed(chunks: string[], options: Parameters<typeof collectTail>[1]) {
  const stream = new PassThrough();
  const progress: string[] = [];
  const tail = collectTail(stream, { ...options, onProgressLine: (line) => progress.push(line) });
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await new Promise((resolve) => stream.on('end', resolve).resume());
  return { tail: tail(), progress };
}

describe('collectTail', () => {
  it('keeps the last bytes of everything when no progress lines are declared', async () => {
    expect(await feed(['abc\n', 'def'], { limit: 5 })).toEqual({ tail: 'c\ndef', progress: [] });
  });

  it('hands progress lines to the callback, whole even when a chunk ends mid-line, and keeps the rest', async () => {
    const chunks = ['pg_restore: creating TABLE "public.a"\npg_restore: fini', 'shed item 7 TABLE DATA a\npg_restore: error: COPY failed\n', 'Command was: COPY a'];
    expect(await feed(chunks, { progressLine: /^pg_restore: (?!error:)/ })).toEqual({
      tail: 'pg_restore: error: COPY failed\nCommand was: COPY a',
      progress: ['pg_restore: creating TABLE "public.a"', 'pg_restore: finished item 7 TABLE DATA a'],
    });
  });

  it('bounds the kept lines by the limit however many progress lines pass', async () => {
    const progressLines = Array.from({ length: 1000 }, (_, i) => `pg_restore: creating INDEX "i${i}"\n`);
    const { tail, progress } = await feed([...progressLines, 'pg_restore: error: out of disk\n'], { limit: 20, progressLine: /^pg_restore: (?!error:)/ });
    expect(progress).toHaveLength(1000);
    expect(tail).toBe(' error: out of disk\n');
  });
});
