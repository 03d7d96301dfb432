import { describe, expect, it } from 'vitest';
import type { SnapshotFile } from '../../src/core/backup-record.js';
import type { CheckVerdict } from '../../src/core/check-verdicts.js';
import { filesRestoreVerdicts, parseSha256sumZero } from '../../src/core/files-restore-checks.js';

const h = (c: string) => c.repeat(64);

describe('parseSha256sumZero', () => {
  it('reads NUL-ended records, names with spaces and newlines included', () => {
    const output = `${h('a')}  /d/a.txt\0${h('b')}  /d/with space\nand newline\0${h('c')} */d/bin\0`;
    expect([...parseSha256sumZero(output)]).toEqual([
      ['/d/a.txt', h('a')],
      ['/d/with space\nand newline', h('b')],
      ['/d/bin', h('c')],
    ]);
  });
  it('empty output: no files', () => {
    expect(parseSha256sumZero('').size).toBe(0);
  });
});

describe('filesRestoreVerdicts', () => {
  const files: SnapshotFile[] = [
    { path: 'a.txt', bytes: 1, sha256: h('a') },
    { path: 'n/b.bin', bytes: 2, sha256: h('b') },
  ];
  it.each<[string, Array<[string, string]>, CheckVerdict[]]>([
    ['all there and matching (an extra file is not judged)', [['a.txt', h('a')], ['n/b.bin', h('b')], ['extra', h('e')]], [
      { check: 'files present', passed: true, detail: 'manifest 2, present 2' },
      { check: 'checksums', passed: true, detail: "2 of 2 file(s) match the manifest's sha256" },
    ]],
    ['one missing', [['a.txt', h('a')]], [
      { check: 'files present', passed: false, detail: 'manifest 2, present 1; missing 1: n/b.bin' },
      { check: 'checksums', passed: false, detail: "1 of 2 file(s) match the manifest's sha256" },
    ]],
    ['one differing', [['a.txt', h('a')], ['n/b.bin', h('f')]], [
      { check: 'files present', passed: true, detail: 'manifest 2, present 2' },
      { check: 'checksums', passed: false, detail: '1 of 2 differ from the manifest: n/b.bin' },
    ]],
  ])('%s', (_name, actual, expected) => {
    expect(filesRestoreVerdicts(files, new Map(actual))).toEqual(expected);
  });

  it('without naming paths (a sealed snapshot): the same verdicts, by counts', () => {
    expect(filesRestoreVerdicts(files, new Map([['n/b.bin', h('f')]]), { namePaths: false })).toEqual([
      { check: 'files present', passed: false, detail: 'manifest 2, present 1; missing 1' },
      { check: 'checksums', passed: false, detail: '1 of 2 differ from the manifest' },
    ]);
  });
});
