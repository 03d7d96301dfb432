import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { StreamedDumpOutcome } from '../../src/activities/backup/dump-outcome.js';
import { sealOutcome } from '../../src/activities/encryption/seal-dump.js';
import { makeAgeKey } from '../support/age-keys.js';

const DUMP = { artifact: 'dump.pgc.age', bytes: 10, sha256: 'a'.repeat(64), compression: 'none', tables: [{ name: 'public.companies', rows: 3 }] } as unknown as StreamedDumpOutcome;

describe('sealOutcome', () => {
  it('with recipients but no plaintext hash (a dump not streamed through age) throws, instead of keeping the table names in the clear', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seal-dump-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const key = await makeAgeKey(dir, 'ops');
    await expect(sealOutcome(DUMP, dir, [key.recipient])).rejects.toThrow('dump.pgc.age: backup.encryption is on but the dump reported no plaintext hash: it was not streamed through age');
    expect(await readdir(dir)).toEqual(['ops.agekey']);
  });

  it('without recipients returns the outcome with its tables, as it was', async () => {
    expect(await sealOutcome(DUMP, '/nonexistent', undefined)).toEqual(DUMP);
  });
});
