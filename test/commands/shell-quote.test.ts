import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteForShell } from '../../src/commands/shell-quote.js';

const NASTY: string[][] = [
  ['a b'],
  ["it's"],
  ["'"],
  ["''"],
  ["'quoted'"],
  ['"double" quotes'],
  ['$(rm -rf /)'],
  ['`id`'],
  ['${HOME}'],
  ['a;b', 'c&&d', 'e|f', 'g>h', 'i<j'],
  ['line1\nline2'],
  ['tab\there'],
  [''],
  ['x', '', 'y'],
  ['*.sql', '?', '[ab]', '{a,b}'],
  ['~', '~root'],
  ['back\\slash', '\\'],
  ['!', '#comment', '=ls'],
  ['-x', '--', '--dbname=app'],
  ["mixed 'single' and \"double\" $VAR `cmd` \\ * \n end"],
];

describe('quoteForShell', () => {
  it.each<[string[], string]>([
    [[], ''],
    [['sha256sum', '--', '/srv/backups/app/2024-01-01.dump'], 'sha256sum -- /srv/backups/app/2024-01-01.dump'],
    [['user@host:/p', 'a=b', '50%', 'x+y,z', '-_.:'], 'user@host:/p a=b 50% x+y,z -_.:'],
    [['a b'], "'a b'"],
    [["it's"], `'it'"'"'s'`],
    [["'"], `"'"`],
    [["''"], `"''"`],
    [["'quoted'"], `"'"'quoted'"'"`],
    [["a''b"], `'a'"''"'b'`],
    [['"double" quotes'], `'"double" quotes'`],
    [['$(rm -rf /)'], "'$(rm -rf /)'"],
    [['`id`'], "'`id`'"],
    [['${HOME}'], "'${HOME}'"],
    [['a;b', 'c&&d', 'e|f'], "'a;b' 'c&&d' 'e|f'"],
    [['line1\nline2'], "'line1\nline2'"],
    [['tab\there'], "'tab\there'"],
    [[''], "''"],
    [['x', '', 'y'], "x '' y"],
    [['*.sql', '?', '[ab]', '{a,b}'], "'*.sql' '?' '[ab]' '{a,b}'"],
    [['~'], "'~'"],
    [['back\\slash'], "'back\\slash'"],
    [['!', '#comment'], "'!' '#comment'"],
    [['=ls'], "'=ls'"],
    [['-x', '--'], '-x --'],
  ])('%j quotes as %s', (argv, expected) => {
    expect(quoteForShell(argv)).toBe(expected);
  });

  // The quoting is only right if a real shell splits it back into the same words.
  describe.each(['sh', 'bash'])('read back by %s', (shell) => {
    it.each(NASTY.map((words) => [words]))('%j', (words) => {
      const output = execFileSync(shell, ['-c', `printf '%s\\0' ${quoteForShell(words)}`], { encoding: 'utf8' });
      expect(output.split('\0').slice(0, -1)).toEqual(words);
    });
  });
});
