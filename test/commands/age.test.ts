import { describe, expect, it } from 'vitest';
import { ageDecrypt, ageEncrypt, agePublicKeys } from '../../src/commands/age.js';
import type { Command } from '../../src/commands/command.js';

const ALICE = 'age1da6twdwsrer2wlxhapf353q7x630pzj3gy0jwyfzflgle7e7kusquw25jw';
const BOB = 'age1mjxepjk59r69mxt55em87gx4t3nl0myjz2wvyalkj7aw3gg46fkseq9037';

describe('age commands: recipients (public) in argv, the identity never (it is read from stdin)', () => {
  it.each<[string, Command, Command]>([
    ['encrypt to one', ageEncrypt([ALICE]), { file: 'age', args: ['--encrypt', '-r', ALICE] }],
    ['encrypt to two', ageEncrypt([ALICE, BOB]), { file: 'age', args: ['--encrypt', '-r', ALICE, '-r', BOB] }],
    ['decrypt a file', ageDecrypt('/srv/backups/pg/x/dump.pgc.age'), { file: 'age', args: ['--decrypt', '-i', '-', '--', '/srv/backups/pg/x/dump.pgc.age'] }],
    ['decrypt an odd name', ageDecrypt('-odd.age'), { file: 'age', args: ['--decrypt', '-i', '-', '--', '-odd.age'] }],
    ['public keys of an identity', agePublicKeys(), { file: 'age-keygen', args: ['-y'] }],
  ])('%s', (_name, command, expected) => {
    expect(command).toEqual(expected);
  });
});
