import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ageDecrypt } from '../../src/commands/age.js';
import { Secret } from '../../src/config/secret.js';
import type { BackupManifest } from '../../src/core/backup-record.js';
import { VerifyFailed } from '../../src/core/errors.js';
import { runOnPlaintext } from '../../src/activities/encryption/open-artifact.js';
import { makeAgeKey } from '../support/age-keys.js';

describe('runOnPlaintext: an artifact that is not age ciphertext', () => {
  it('fails as corrupt with age\'s own words, and none of the bytes age quotes from the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'open-artifact-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const key = await makeAgeKey(dir, 'ops');
    const artifact = join(dir, 'dump.sql.age');
    // Plaintext where the sealed dump should be: age quotes the first line it could not parse.
    await writeFile(artifact, 'INSERT INTO companies VALUES (1, \'Acme secret plans\');\n');
    const manifest = { id: 'crm-20261207T000000Z', artifact: 'dump.sql.age', encryption: { recipients: [key.recipient] } } as unknown as BackupManifest;
    const identity = new Secret(await readFile(key.identityFile, 'utf8'), `file:${key.identityFile}`);
    expect(() => execFileSync('age', ['-d', '-i', key.identityFile, artifact], { stdio: 'pipe' })).toThrow(/unexpected intro: "INSERT INTO companies/);

    const failure: unknown = await runOnPlaintext(
      { manifest, source: { kind: 'decrypted', path: artifact, decrypt: ageDecrypt(artifact, identity), identity } },
      () => [{ file: 'cat', args: [] }],
      {},
    ).then(() => undefined, (err: unknown) => err);

    expect(failure).toBeInstanceOf(VerifyFailed);
    expect((failure as VerifyFailed).message).toBe('crm-20261207T000000Z: dump.sql.age is corrupt: age could not authenticate its ciphertext (age: error: failed to read header: parsing age header: unexpected intro)');
  });
});
