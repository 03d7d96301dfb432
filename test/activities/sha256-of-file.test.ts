import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';

const MiB = 1 << 20;

describe('sha256OfFile, read in chunks into one buffer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sha256-of-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 7])('agrees with sha256sum on a file of %i bytes', async (bytes) => {
    const file = join(dir, `file-${bytes}`);
    await writeFile(file, randomBytes(bytes));
    const { stdout } = await execa('sha256sum', [file]);
    expect(await sha256OfFile(file)).toBe(stdout.split(' ')[0]);
  });

  it('fails for a missing file, naming it', async () => {
    await expect(sha256OfFile(join(dir, 'missing'))).rejects.toThrow(/ENOENT.*missing/);
  });
});
