import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { databasesNamed, dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { runCli } from '../support/run-cli.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

const BUCKET = 'ops-restore';

/**
 * The "lost backup host" runbook, for real: the nightly chain copied a backup to a directory and
 * to S3 (versitygw); then a fresh machine with only the config (an EMPTY repository directory, a
 * new state dir) restores the latest backup from the offsite copy with `ops restore`.
 */
describe('ops restore --from offsite, on a fresh machine with an empty repository', () => {
  let s3Dir: string;
  let s3: S3Server;
  let fixture: BackupFixture;
  let backupHost: TestWorker;
  let freshHost: TestWorker;
  let backup: BackupEntry;
  let freshConfigFile: string;
  let freshRepository: string;
  let env: Record<string, string>;
  const s3Name = () => `s3://${BUCKET}/ops`;

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(testServers().scratchRoot, 's3-'));
    s3 = await startS3Server(s3Dir);
    await s3.createBucket(BUCKET);
    fixture = await makeBackupFixture({
      env: { S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey },
      edit: (doc) => {
        targetsAsAdmin(doc);
        doc.backup.offsite = [doc.backup.offsite, { url: `s3://${BUCKET}/ops`, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}' }];
      },
    });
    backupHost = await startTestWorker(fixture.config);
    await backupHost.client.workflow.execute(nightlyBackup, { taskQueue: backupHost.taskQueue, workflowId: backupHost.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres] }] });
    [backup] = await new BackupRepository(fixture.config.repository).list(fixture.targets.postgres);
    await backupHost.stop();

    // The fresh machine: the same config, but its repository and state directories are new and empty.
    const doc = parse(await readFile(fixture.configFile, 'utf8')) as Record<string, any>;
    freshRepository = join(fixture.dir, 'fresh-repo');
    await mkdir(freshRepository);
    doc.repository = freshRepository;
    doc.stateDir = join(fixture.dir, 'fresh-state');
    freshConfigFile = join(fixture.dir, 'fresh.config.yaml');
    await writeFile(freshConfigFile, stringify(doc));
    const fixtureEnv = { ...fixture.env, S3_KEY_ID: s3.accessKeyId, S3_SECRET: s3.secretAccessKey };
    freshHost = await startTestWorker(loadConfig(freshConfigFile, fixtureEnv));
    env = { ...fixtureEnv, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: freshHost.taskQueue };
  });
  afterAll(async () => {
    await freshHost?.stop();
    if (fixture) await dropRestoredDatabases('postgres', fixture.id);
    await fixture?.cleanup();
    await s3?.stop();
    if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
  });

  const restore = (...args: string[]) => runCli(['--config', freshConfigFile, 'restore', fixture.targets.postgres, ...args], env);

  it('--latest --from offsite restores the latest backup from the first destination, checksum-confirmed and checked; the repository stays empty', async () => {
    const into = `${fixture.pgDatabase}_restored_dir`;
    const result = await restore('--latest', '--from', 'offsite', '--into', into, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`  PASS checksum: sha256 ${backup.manifest.sha256.slice(0, 12)}… of ${backup.manifest.bytes} bytes matches the manifest (fetched from ${fixture.offsiteDir})\n`);
    expect(result.stdout).toContain('  PASS table count: manifest 3, restored 3');
    expect(result.stdout).toContain(`restored ${backup.id} into new database ${into} on `);
    expect(await rowCounts('postgres', into)).toEqual(backup.manifest.tables);
    // No backup lands in the repository; only the restore's own record (its RTO) does.
    expect(await readdir(freshRepository)).toEqual(['.restores']);
    expect(await readdir(join(freshRepository, '.restores'))).toEqual([`${fixture.targets.postgres}.jsonl`]);
    const report = result.stdout.match(/report (\S+\.md)$/m)![1]!;
    expect(await readFile(report, 'utf8')).toContain(`- Backup: \`${backup.id}\` (--latest), from the offsite copy at ${fixture.offsiteDir}\n`);
    // The fetched copy lived in the restore step's own work dir, removed when the step ended.
    expect(await readdir(join(fixture.dir, 'fresh-state', 'restores'))).toEqual([]);
  });

  it('--from offsite:<S3 destination> restores from the bucket; with no --from, an empty repository falls back to offsite', async () => {
    const fromS3 = await restore('--latest', '--from', `offsite:${s3Name()}`, '--into', `${fixture.pgDatabase}_restored_s3`, '--wait');
    expect(fromS3.stderr).toBe('');
    expect(fromS3.exitCode).toBe(0);
    expect(fromS3.stdout).toContain(`matches the manifest (fetched from ${s3Name()})\n`);
    expect(await rowCounts('postgres', `${fixture.pgDatabase}_restored_s3`)).toEqual(backup.manifest.tables);

    const fallback = await restore('--backup', backup.id, '--into', `${fixture.pgDatabase}_restored_any`, '--wait');
    expect(fallback.stderr).toBe('');
    expect(fallback.exitCode).toBe(0);
    expect(fallback.stdout).toContain(`matches the manifest (fetched from ${fixture.offsiteDir})\n`);
  });

  it('a copy missing at the destination fails before anything is created, naming the destination', async () => {
    const databases = await databasesNamed('postgres', fixture.id);
    const missing = `${fixture.targets.postgres}-20200101T000000Z`;
    const result = await restore('--backup', missing, '--from', `offsite:${s3Name()}`, '--wait');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`no copy of ${missing} at ${s3Name()}`);
    expect(await databasesNamed('postgres', fixture.id)).toEqual(databases);
  });

  it('a flipped byte in the offsite copy fails the checksum before anything is created, naming the destination', async () => {
    await flipBytesInMiddle(join(fixture.offsiteDir, fixture.targets.postgres, backup.stamp, backup.manifest.artifact));
    const databases = await databasesNamed('postgres', fixture.id);
    const result = await restore('--latest', '--from', `offsite:${fixture.offsiteDir}`, '--into', `${fixture.pgDatabase}_restored_bad`, '--wait');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${backup.id} fetched from ${fixture.offsiteDir}: checksum mismatch: manifest ${backup.manifest.sha256.slice(0, 12)}…, artifact [0-9a-f]{12}…; nothing was restored`));
    const reportsDir = join(fixture.dir, 'reports');
    const reports = await Promise.all((await readdir(reportsDir)).map((name) => readFile(join(reportsDir, name), 'utf8')));
    expect(reports.filter((text) => text.includes(`| checksum | FAIL | ${backup.id} fetched from ${fixture.offsiteDir}: checksum mismatch`))).toHaveLength(1);
    expect(await databasesNamed('postgres', fixture.id)).toEqual(databases);
  });

  it('--from that is neither local nor offsite is bad usage', async () => {
    const result = await restore('--latest', '--from', 'tape');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('error: --from "tape" is not local, offsite or offsite:<destination>');
  });
});
