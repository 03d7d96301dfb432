import { describe, expect, it } from 'vitest';
import { cell, oneLine } from '../../src/core/markdown-text.js';

describe('text in a Markdown line (backup, deploy, rollback and restore reports)', () => {
  it.each([
    ['pg_dump: error', 'pg_dump: error'],
    ['pg_dump: error\n  detail: lock\n', 'pg_dump: error detail: lock'],
    ['exit 1\r\nstderr tail\r\n', 'exit 1 stderr tail'],
    ['  spaced  ', 'spaced'],
  ])('oneLine(%j) is %j', (text, expected) => {
    expect(oneLine(text)).toBe(expected);
  });

  it.each([
    ['a | b', 'a \\| b'],
    ['rows 3 |\n4 expected', 'rows 3 \\| 4 expected'],
    ['', ''],
  ])('cell(%j) is %j', (text, expected) => {
    expect(cell(text)).toBe(expected);
  });
});
