import { open, stat, truncate } from 'node:fs/promises';

/** Inverts `count` bytes in the middle of the file, in place: the size stays, the content does not. */
export async function flipBytesInMiddle(file: string, count = 16): Promise<void> {
  const { size } = await stat(file);
  const at = Math.floor(size / 2);
  const handle = await open(file, 'r+');
  try {
    const bytes = Buffer.alloc(count);
    const { bytesRead } = await handle.read(bytes, 0, count, at);
    for (let i = 0; i < bytesRead; i++) bytes[i] = bytes[i]! ^ 0xff;
    await handle.write(bytes, 0, bytesRead, at);
  } finally {
    await handle.close();
  }
}

/** Cuts the file to half its size, as an interrupted copy would leave it. */
export async function truncateToHalf(file: string): Promise<void> {
  const { size } = await stat(file);
  await truncate(file, Math.floor(size / 2));
}
