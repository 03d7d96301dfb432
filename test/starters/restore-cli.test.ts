import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/activities/repository/backup-repository.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { databasesNamed, dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** `ops restore` as a user runs it, against a real worker and a real nightly backup. */
describe('ops restore', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let env: Record<string, string>;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none', edit: targetsAsAdmin });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres] }] });
  });
  afterAll(async () => {
    await worker?.stop();
    if (fixture) await dropRestoredDatabases('postgres', fixture.id);
    await fixture?.cleanup();
  });

  const restore = (...args: string[]) => runCli(['--config', fixture.configFile, 'restore', ...args], env);

  it('--latest --wait restores into a new database, prints each check, the database and the RTO, and exits 0', async () => {
    const target = fixture.targets.postgres;
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    const result = await restore(target, '--latest', '--into', `${fixture.pgDatabase}_restored_cli`, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^started restore-${target}-\\d{8}T\\d{6}Z$`, 'm'));
    expect(result.stdout).toMatch(/restore and check\s+done/);
    expect(result.stdout).toContain('  PASS checksum: sha256 ');
    expect(result.stdout).toContain('  PASS table count: manifest 3, restored 3');
    const { postgres } = testServers();
    expect(result.stdout).toContain(`restored ${backup!.id} into new database ${fixture.pgDatabase}_restored_cli on postgres://${postgres.adminUser}@${postgres.host}:${postgres.port}/\n`);
    expect(result.stdout).toMatch(new RegExp(`^RTO \\d+(\\.\\d)?s \\(start to checked\\); report .*/restore-${target}-\\d{8}T\\d{6}Z\\.md$`, 'm'));
    expect(await rowCounts('postgres', `${fixture.pgDatabase}_restored_cli`)).toEqual(backup!.manifest.tables);
  });

  it('--wait into a database that exists exits 1 naming it, and leaves it as it was', async () => {
    const target = fixture.targets.postgres;
    const before = await rowCounts('postgres', fixture.pgDatabase);
    const result = await restore(target, '--latest', '--into', fixture.pgDatabase, '--wait');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`database ${fixture.pgDatabase} already exists on postgres://`);
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(before);
  });

  it.each<[string, string[], string]>([
    ['no pick', [], 'give exactly one of --backup ID, --latest, --before ISO-TIME'],
    ['two picks', ['--latest', '--before', '2026-12-01T08:00:00Z'], 'give exactly one of --backup ID, --latest, --before ISO-TIME'],
    ['a --before without a zone', ['--before', '2026-12-01T08:00'], '--before "2026-12-01T08:00" is not an ISO time such as 2026-12-01T08:00:00Z'],
    ['a bad --into', ['--latest', '--into', 'x;y'], '--into: database name "x;y" must be letters, digits and _, not starting with a digit'],
  ])('%s is bad usage: exit 2 naming it, nothing started', async (_name, args, message) => {
    const databases = await databasesNamed('postgres', fixture.id);
    const result = await restore(fixture.targets.postgres, ...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`error: ${message}`);
    expect(result.stdout).not.toContain('started');
    expect(await databasesNamed('postgres', fixture.id)).toEqual(databases);
  });

  it('a files target is bad usage: restore restores databases', async () => {
    const result = await restore(fixture.targets.files, '--latest');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`error: target "${fixture.targets.files}" is a files target: ops restore restores databases (files snapshots not yet)`);
  });
});
