import { describe, expect, it } from 'vitest';
import { ageDecrypt, ageEncrypt, agePublicKeys } from '../../src/commands/age.js';
import type { Command } from '../../src/commands/command.js';
import { Secret } from '../../src/config/secret.js';

const ALICE = 'age1da6twdwsrer2wlxhapf353q7x630pzj3gy0jwyfzflgle7e7kusquw25jw';
const BOB = 'age1mjxepjk59r69mxt55em87gx4t3nl0myjz2wvyalkj7aw3gg46fkseq9037';
const IDENTITY = new Secret('AGE-SECRET-KEY-1EXAMPLE\n', 'test');

describe('age commands: recipients (public) in argv, the identity never (the command carries it as stdin)', () => {
  it.each<[string, Command, Command]>([
    ['encrypt to one', ageEncrypt([ALICE]), { file: 'age', args: ['--encrypt', '-r', ALICE], writesInOrder: true }],
    ['encrypt to two', ageEncrypt([ALICE, BOB]), { file: 'age', args: ['--encrypt', '-r', ALICE, '-r', BOB], writesInOrder: true }],
    ['decrypt a file', ageDecrypt('/srv/backups/pg/x/dump.pgc.age', IDENTITY), { file: 'age', args: ['--decrypt', '-i', '-', '--', '/srv/backups/pg/x/dump.pgc.age'], input: 'AGE-SECRET-KEY-1EXAMPLE\n' }],
    ['decrypt an odd name', ageDecrypt('-odd.age', IDENTITY), { file: 'age', args: ['--decrypt', '-i', '-', '--', '-odd.age'], input: 'AGE-SECRET-KEY-1EXAMPLE\n' }],
    ['public keys of an identity', agePublicKeys(IDENTITY), { file: 'age-keygen', args: ['-y'], input: 'AGE-SECRET-KEY-1EXAMPLE\n' }],
  ])('%s', (_name, command, expected) => {
    expect(command).toEqual(expected);
  });
});
