import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestsOfFile, PartDigests } from '../../src/activities/offsite/part-digests.js';
import { compositeSha256 } from '../../src/core/s3-composite-checksum.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ops-part-digests-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (data: Buffer) => createHash('sha256').update(data).digest();
const PART = 1000;

/** What S3 computes: each part's SHA-256, cut every PART bytes, the last part shorter. */
function expected(data: Buffer): { sha256: string; composite: string } {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < data.length || parts.length === 0; offset += PART) parts.push(sha(data.subarray(offset, offset + PART)));
  return { sha256: sha(data).toString('hex'), composite: compositeSha256(parts) };
}

describe('PartDigests: the whole SHA-256 and S3\'s composite of the bytes passing through, in one pass', () => {
  it.each<[string, number, number]>([
    ['chunks smaller than a part, crossing its boundaries', 2500, 333],
    ['chunks larger than a part', 2500, 2400],
    ['an exact multiple of the part size: no empty last part', 3000, 700],
    ['less than one part', 10, 7],
    ['nothing at all: one empty part', 0, 1],
  ])('%s (%i bytes in chunks of %i)', async (_name, bytes, chunkSize) => {
    const data = randomBytes(bytes);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < bytes; offset += chunkSize) chunks.push(data.subarray(offset, offset + chunkSize));
    const digests = new PartDigests(PART);
    const passed: Buffer[] = [];
    for await (const chunk of Readable.from(chunks).pipe(digests)) passed.push(chunk as Buffer);
    expect(Buffer.concat(passed)).toEqual(data);
    expect(digests.digests()).toStrictEqual(expected(data));
  });

  it('digestsOfFile: the same of a file on disk', async () => {
    const data = randomBytes(5 * PART + 17);
    await writeFile(join(dir, 'artifact'), data);
    expect(await digestsOfFile(join(dir, 'artifact'), PART)).toStrictEqual(expected(data));
  });
});
