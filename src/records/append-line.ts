import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends one line (ending in "\n") to `file` and fsyncs it. It is a single write to an O_APPEND
 * file, so concurrent writers never interleave inside a line. After a crash tore the last line, the
 * new one starts on a fresh line instead of being glued to it. `unless` sees the file's text and
 * can skip the write (a retried activity that already wrote its line); returns whether it wrote.
 */
export async function appendLine(file: string, line: string, unless?: (text: string) => boolean): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, 'a+', 0o644);
  try {
    const { size } = await handle.stat();
    if (unless && unless(await handle.readFile('utf8'))) return false;
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    await handle.write(`${size > 0 && last[0] !== 0x0a ? '\n' : ''}${line}`);
    await handle.sync();
    return true;
  } finally {
    await handle.close();
  }
}
