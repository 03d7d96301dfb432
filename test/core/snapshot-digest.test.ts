import { describe, expect, it } from 'vitest';
import type { SnapshotFile } from '../../src/core/backup-record.js';
import { compareSnapshots, snapshotDigest } from '../../src/core/snapshot-digest.js';

const a: SnapshotFile = { path: 'a.txt', bytes: 3, sha256: 'aaaa' };
const b: SnapshotFile = { path: 'dir/b.bin', bytes: 10, sha256: 'bbbb' };
const upperB: SnapshotFile = { path: 'B.txt', bytes: 0, sha256: 'cccc' };

describe('snapshotDigest', () => {
  // Expected values from `printf '<sha256> <bytes> <path>\n...' | sha256sum`, lines sorted by path.
  it.each<[string, SnapshotFile[], string]>([
    ['no files', [], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['one file', [a], 'a68c64bb9cbfa66aeb0ab3752b179eab6c80f7323ef4ee5d757ea58ca27c2e4e'],
    ['two files', [a, b], '51a3031fea76a70104eb298c7ba032b85d76b3d4d4513926208b0a049c296a8e'],
    ['two files, reversed', [b, a], '51a3031fea76a70104eb298c7ba032b85d76b3d4d4513926208b0a049c296a8e'],
    ['paths sort by code unit: "B.txt" before "a.txt"', [a, upperB], '7769c5e5bdf77a826ab29035758e85268e3f78fadf781741391fff5afefe49f8'],
  ])('%s', (_name, files, digest) => {
    expect(snapshotDigest(files)).toBe(digest);
  });

  it('is the same for every order of the same files', () => {
    const files = [a, b, upperB, { path: 'dir/a', bytes: 1, sha256: 'dddd' }];
    const orders = [files, [...files].reverse(), [files[2]!, files[0]!, files[3]!, files[1]!], [files[1]!, files[3]!, files[0]!, files[2]!]];
    expect(new Set(orders.map(snapshotDigest)).size).toBe(1);
  });

  it('does not reorder its input', () => {
    const files = [b, a];
    snapshotDigest(files);
    expect(files).toStrictEqual([b, a]);
  });

  it.each<[string, SnapshotFile]>([
    ['content', { ...a, sha256: 'aaab' }],
    ['size', { ...a, bytes: 4 }],
    ['path', { ...a, path: 'a.txt2' }],
  ])('changes when a file changes its %s', (_what, changed) => {
    expect(snapshotDigest([changed, b])).not.toBe(snapshotDigest([a, b]));
  });
});

describe('compareSnapshots', () => {
  it.each<[string, SnapshotFile[], SnapshotFile[], string[]]>([
    ['identical', [a, b], [a, b], []],
    ['same files, other order', [a, b], [b, a], []],
    ['both empty', [], [], []],
    ['a missing file', [a, b], [a], ['missing file dir/b.bin']],
    ['a changed file', [a, b], [a, { ...b, sha256: 'ffff' }], ['checksum differs for dir/b.bin']],
    ['an unexpected file', [a], [a, upperB], ['unexpected file B.txt']],
    ['everything missing', [a, b], [], ['missing file a.txt', 'missing file dir/b.bin']],
    ['everything unexpected', [], [b, a], ['unexpected file dir/b.bin', 'unexpected file a.txt']],
    [
      'all kinds: expected files in their order, then unexpected ones',
      [b, a, upperB],
      [{ path: 'new.txt', bytes: 1, sha256: 'eeee' }, { ...upperB, sha256: 'c0c0' }, a],
      ['missing file dir/b.bin', 'checksum differs for B.txt', 'unexpected file new.txt'],
    ],
  ])('%s', (_name, expected, actual, problems) => {
    expect(compareSnapshots(expected, actual)).toStrictEqual(problems);
  });
});
