import { describe, expect, it } from 'vitest';
import { parseDotenv, renderDotenv } from '../../src/core/dotenv.js';
import { lineScrubber } from '../../src/core/log-scrub.js';

describe('lineScrubber', () => {
  it.each<[string, string[], string[], string[]]>([
    ['a secret inside one chunk', ['s3cret-pw'], ['db ok password=s3cret-pw\n'], ['db ok password=[redacted]\n', '']],
    ['a secret split across two reads', ['s3cret-pw'], ['password=s3c', 'ret-pw\nnext\n'], ['', 'password=[redacted]\nnext\n', '']],
    ['the longer of two overlapping secrets first', ['abc', 'abcdef'], ['x abcdef abc\n'], ['x [redacted] [redacted]\n', '']],
    ['a last line without a newline comes at the end', ['s3cret-pw'], ['one\ntwo s3cret-pw'], ['one\n', 'two [redacted]']],
    ['secrets shorter than 3 characters are left alone', ['ab'], ['ab cd\n'], ['ab cd\n', '']],
  ])('%s', (_name, secrets, chunks, expected) => {
    const scrubber = lineScrubber(secrets);
    expect([...chunks.map((c) => scrubber.push(c)), scrubber.end()]).toEqual(expected);
  });
});

describe('parseDotenv', () => {
  it('reads back every value renderDotenv writes, escapes included', () => {
    const entries = { A: 'plain', B: 'with "quotes" and \\ and $HOME', C: 'two\nlines', D: '' };
    expect(parseDotenv(renderDotenv(entries))).toEqual(entries);
  });

  it('skips lines in other forms', () => {
    expect(parseDotenv('# comment\nA=unquoted\nB="ok"\n')).toEqual({ B: 'ok' });
  });
});
