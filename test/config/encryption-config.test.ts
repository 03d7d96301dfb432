import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';

const FILE = '/etc/ops/ops.config.yaml';
const ALICE = 'age1da6twdwsrer2wlxhapf353q7x630pzj3gy0jwyfzflgle7e7kusquw25jw';
const IDENTITY = 'AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQY';
const ENV = { OPS_AGE_IDENTITY: IDENTITY, OPS_RECIPIENT: ALICE };

const encryptionOf = (yaml: string) => parseConfig(`backup:\n  encryption:\n${yaml}\n`, FILE, ENV).backup.encryption;

const problemsOf = (yaml: string): string[] => configProblems(() => encryptionOf(yaml));

describe('backup.encryption', () => {
  it('is off unless configured', () => {
    expect(parseConfig('backup: {}\n', FILE, ENV).backup.encryption).toBeUndefined();
  });

  it('recipients alone: a worker that only dumps', () => {
    expect(encryptionOf(`    recipients: [${ALICE}]`)).toStrictEqual({ recipients: [ALICE] });
  });

  it('recipients may come from the environment; the identity is a secret that never prints', () => {
    const encryption = encryptionOf('    recipients: ["${OPS_RECIPIENT}"]\n    identityFile: ${OPS_AGE_IDENTITY}');
    expect(encryption?.recipients).toEqual([ALICE]);
    expect(encryption?.identityFile?.reveal()).toBe(IDENTITY);
    for (const printed of [String(encryption?.identityFile), JSON.stringify(encryption), inspect(encryption)]) expect(printed).not.toContain(IDENTITY);
  });

  it.each<[string, string, string[]]>([
    ['no recipients', '    recipients: []', ['backup.encryption.recipients: Too small: expected array to have >=1 items']],
    ['a recipient that is not an age public key', '    recipients: [age1nope]', ['backup.encryption.recipients[0]: expected an age public key (age1… as age-keygen -y prints it; checked by its checksum)']],
    ['a recipient mistyped (its checksum fails)', `    recipients: [${ALICE}, ${ALICE.replace('age1da6', 'age1da7')}]`, ['backup.encryption.recipients[1]: expected an age public key (age1… as age-keygen -y prints it; checked by its checksum)']],
    ['an identity written into the file', `    recipients: [${ALICE}]\n    identityFile: ${IDENTITY}`, ['backup.encryption.identityFile: expected a secret reference ${ENV_VAR} or file:path, not a literal value']],
    ['an unknown key', `    recipients: [${ALICE}]\n    passphrase: x`, ['backup.encryption: unknown key "passphrase"']],
  ])('%s is refused, named by its path', (_, yaml, problems) => {
    expect(problemsOf(yaml)).toEqual(problems);
  });
});
