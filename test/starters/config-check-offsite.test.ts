import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { runCli } from '../support/run-cli.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';

/**
 * `ops config check --connect` asks every offsite destination what the night's copy asks first, on
 * a real S3 server (versitygw) and a path: a wrong key, a missing bucket and an endpoint that does
 * not answer are found ahead of the night, each in one line naming the destination, and exit 1.
 */
describe('config check --connect and the offsite destinations', () => {
  let dir: string;
  let s3: S3Server;
  let fixture: BackupFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(testServers().scratchRoot, 'check-offsite-'));
    s3 = await startS3Server(dir);
    await s3.createBucket('ops-check');
    fixture = await makeBackupFixture({ offsite: 'local' });
  });
  afterAll(async () => {
    await s3?.stop();
    await fixture?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('a good bucket and a path pass; a wrong key, a missing bucket and a dead endpoint are each named, exit 1', async () => {
    const doc = parse(await readFile(fixture.configFile, 'utf8')) as Record<string, any>;
    const bucket = (url: string, extra: Record<string, unknown> = {}) => ({ url, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}', ...extra });
    doc.backup.offsite = [
      fixture.offsiteDir,
      bucket('s3://ops-check/good'),
      bucket('s3://ops-check/denied', { secretAccessKey: '${WRONG_SECRET}' }),
      bucket('s3://no-such-bucket/ops'),
      bucket('s3://ops-check/far', { endpoint: 'http://127.0.0.1:1' }),
    ];
    const configFile = join(fixture.dir, 'offsite-check.yaml');
    await writeFile(configFile, stringify(doc));
    const env = { ...fixture.env, S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey, WRONG_SECRET: 'not-the-secret-key' };

    const result = await runCli(['--config', configFile, 'config', 'check', '--connect'], env);
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.split('\n').filter((line) => line.startsWith('  offsite '));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`  offsite ${fixture.offsiteDir}: OK`);
    expect(lines[1]).toBe('  offsite s3://ops-check/good: OK');
    expect(lines[2]).toMatch(new RegExp(`^  offsite s3://ops-check/denied at ${s3.endpoint}: listing denied/ was refused \\(\\w+\\): check accessKeyId and secretAccessKey and the key's permissions on bucket ops-check$`));
    expect(lines[3]).toBe(`  offsite s3://no-such-bucket/ops at ${s3.endpoint}: bucket no-such-bucket does not exist`);
    expect(lines[4]).toMatch(/^ {2}offsite s3:\/\/ops-check\/far at http:\/\/127\.0\.0\.1:1: listing far\/ failed: .*ECONNREFUSED/);
    expect(result.stderr.trim()).toBe('error: 3 of 5 offsite destinations would fail their copy (listed above)');
    expect(result.stdout + result.stderr).not.toContain(s3.secretAccessKey);
  });
});
