import { describe, expect, it } from 'vitest';
import { parseTarHashes } from '../../src/core/tar-entries.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('parseTarHashes', () => {
  it.each([
    ['nothing', '', []],
    ['sorted by path, without tar\'s ./', `${B} 3 ./z\0${A} 12 ./nested/b c\0`, [{ path: 'nested/b c', bytes: 12, sha256: A }, { path: 'z', bytes: 3, sha256: B }]],
    ['a name with a newline', `${A} 0 ./odd\nname\0`, [{ path: 'odd\nname', bytes: 0, sha256: A }]],
  ])('%s', (_name, output, expected) => {
    expect(parseTarHashes(output)).toEqual(expected);
  });

  it('refuses a record it cannot read', () => {
    expect(() => parseTarHashes('sha256sum: error\0')).toThrow('unexpected tar hash record: "sha256sum: error"');
  });
});
