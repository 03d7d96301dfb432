import { describe, expect, it } from 'vitest';
import { encryptionSummary } from '../../src/core/encryption-summary.js';

const ALICE = 'age1da6twdwsrer2wlxhapf353q7x630pzj3gy0jwyfzflgle7e7kusquw25jw';
const BOB = 'age1mjxepjk59r69mxt55em87gx4t3nl0myjz2wvyalkj7aw3gg46fkseq9037';

describe('encryptionSummary: the lines ops config check prints', () => {
  it.each<[string, Parameters<typeof encryptionSummary>[0], string[]]>([
    ['off', { recipients: undefined, identity: 'none', filesTargets: ['uploads'] }, []],
    ['a worker that reads', { recipients: [ALICE], identity: 'reads', filesTargets: [] }, ['encryption: database dumps and files snapshots to 1 age recipient(s) a19a75e2ac2e; identity configured: verify, drill, restore and reencrypt can read them']],
    [
      'an identity that is none of the recipients',
      { recipients: [ALICE], identity: 'matches-none', filesTargets: [] },
      ["encryption: database dumps and files snapshots to 1 age recipient(s) a19a75e2ac2e; the identity matches none of these recipients: it reads only backups made to its own key (a rotation's old ones, for reencrypt); verify, drill and restore of backups made now will fail"],
    ],
    [
      'a worker that only dumps, with a files target',
      { recipients: [ALICE, BOB], identity: 'none', filesTargets: ['uploads', 'media'] },
      [
        'encryption: database dumps and files snapshots to 2 age recipient(s) a19a75e2ac2e, 641386f7c735; no identity on this host: it can dump, not verify, drill, restore or reencrypt',
        'note: files targets are sealed as one full archive per snapshot (no hard links to the previous one): uploads, media',
      ],
    ],
  ])('%s', (_, input, lines) => {
    expect(encryptionSummary(input)).toEqual(lines);
  });
});
