import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPostgresRows } from '../../src/activities/databases/postgres-client.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { RestoreLog } from '../../src/records/restore-log.js';
import { restoredDatabaseName } from '../../src/core/restore-pick.js';
import { startPostgres, type LocalPostgres } from '../../src/local-servers/postgres-server.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { progressQuery } from '../../src/workflows/progress.js';
import { restoreBackup, type RestoreBackupInput } from '../../src/workflows/restore-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { databasesNamed, dropRestoredDatabases, targetsAsAdmin } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/**
 * `ops restore --server NAME` onto a second, throwaway PostgreSQL (a fresh server after the old
 * one died), and the faults on that server: bad credentials and a disk that fills mid-restore.
 */
describe('restoreBackup --server', () => {
  let spare: LocalPostgres;
  let fixture: BackupFixture;
  let worker: TestWorker;
  let tinyDir: string | undefined;
  let stampCount = 0;

  const withSpare = async <T>(database: string, body: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ host: spare.host, port: spare.port, user: spare.adminUser, password: spare.adminPassword, database });
    await client.connect();
    return body(client).finally(() => client.end());
  };
  const spareDatabases = () => withSpare('postgres', async (c) => (await c.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY 1')).rows.map((r) => r.datname));

  beforeAll(async () => {
    const { scratchRoot } = testServers();
    spare = await startPostgres({ dataDir: join(scratchRoot, `spare-${randomBytes(3).toString('hex')}`) });
    fixture = await makeBackupFixture({
      offsite: 'none',
      env: { SPARE_PASSWORD: spare.adminPassword, WRONG_PASSWORD: 'not-the-password' },
      edit: (doc) => {
        // The fixture's read-only user, on the target's own server: it may connect, not create a database.
        const reader = { url: String(doc.databases[0].url).replace(/\/[^/]*$/, ''), password: '${PG_READER_PASSWORD}' };
        targetsAsAdmin(doc);
        const url = `postgres://${spare.adminUser}@${spare.host}:${spare.port}`;
        doc.restore = { servers: { spare: { url, password: '${SPARE_PASSWORD}' }, wrong: { url, password: '${WRONG_PASSWORD}' }, reader } };
      },
    });
    // Big enough that its restored table outgrows the 24 MB tablespace of the disk-full test; pg_dump compresses it to little.
    const { postgres } = testServers();
    const source = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: fixture.pgDatabase });
    await source.connect();
    await source.query(`CREATE TABLE filler AS SELECT g AS id, repeat(md5(g::text), 8) AS body FROM generate_series(1, 80000) AS g`).finally(() => source.end());
    worker = await startTestWorker(fixture.config);
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres] }] });
  });
  afterAll(async () => {
    await worker?.stop();
    await spare?.stop();
    if (tinyDir) await execa('umount', [tinyDir], { reject: false });
    if (fixture) await dropRestoredDatabases('postgres', fixture.id);
    await fixture?.cleanup();
  });

  const restore = async (input: Omit<RestoreBackupInput, 'stamp' | 'target' | 'pick'>) => {
    const stamp = `20300201T0000${String(stampCount++).padStart(2, '0')}Z`;
    const run = worker.client.workflow.execute(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ target: fixture.targets.postgres, pick: { latest: true }, stamp, ...input }] });
    return { stamp, run };
  };
  const failureOf = async (run: Promise<unknown>): Promise<ApplicationFailure> => {
    const error = await run.then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    return (error as WorkflowFailedError).cause as ApplicationFailure;
  };

  it('restores onto the named server: the rows of the backup, nothing on the target\'s own server', async () => {
    const [backup] = await new BackupRepository(fixture.config.repository).list(fixture.targets.postgres);
    const { stamp, run } = await restore({ server: 'spare' });
    const record = await run;

    const database = restoredDatabaseName(fixture.pgDatabase, stamp);
    expect(record).toMatchObject({ backupId: backup!.id, database, server: `postgres://${spare.adminUser}@${spare.host}:${spare.port}/`, status: 'passed' });
    expect(await withSpare(database, countPostgresRows)).toEqual(backup!.manifest.tables);
    expect((await databasesNamed('postgres', fixture.id)).filter((n) => n.includes('_restored_'))).toEqual([]);
    // The RTO is recorded durably, in the target's restore log, for /metrics.
    expect(await new RestoreLog(fixture.config.repository).list([fixture.targets.postgres])).toEqual([
      { workflowId: record.workflowId, target: fixture.targets.postgres, status: 'passed', startedAt: record.startedAt, finishedAt: record.finishedAt, backupId: backup!.id, database, server: record.server, rtoSeconds: record.rtoSeconds },
    ]);
  });

  it('a wrong password for the server fails at the pick, not retried, naming user@host:port; nothing created', async () => {
    const before = await spareDatabases();
    const failure = await failureOf((await restore({ server: 'wrong' })).run);

    expect(failure.type).toBe('PreconditionFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`postgres://${spare.adminUser}@${spare.host}:${spare.port}/postgres: password authentication failed for user "${spare.adminUser}"`);
    expect(failure.message).not.toContain('not-the-password');
    expect(await spareDatabases()).toEqual(before);
  });

  it('a user that may not create databases fails the restore step, not the checksum; nothing created', async () => {
    const { postgres } = testServers();
    const before = await databasesNamed('postgres', fixture.id);
    const handle = await worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ target: fixture.targets.postgres, pick: { latest: true }, server: 'reader', stamp: '20300201T000098Z' }] });
    const failure = await failureOf(handle.result());

    expect(failure.type).toBe('PreconditionFailed');
    expect(failure.message).toMatch(new RegExp(`: user reader_${fixture.id} may not create database restore_\\w+ on postgres://reader_${fixture.id}@${postgres.host}:${postgres.port}/: permission denied to create database$`));
    const steps = await handle.query(progressQuery);
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['pick', 'done'],
      ['checksum', 'skipped'],
      ['approval', 'skipped'],
      ['restore and check', 'failed'],
      ['report', 'done'],
    ]);
    expect(steps.find((s) => s.step === 'checksum')!.detail).toBe('not confirmed: the restore step stopped first');
    expect(steps.find((s) => s.step === 'restore and check')!.detail).toContain(`user reader_${fixture.id} may not create database`);
    const { details } = failure as unknown as { details: Array<{ checks: unknown[] }> };
    expect(details[0]!.checks).toEqual([]);
    expect(await databasesNamed('postgres', fixture.id)).toEqual(before);
  });

  it('a --server of the other engine is refused at the pick, naming both; nothing created', async () => {
    const before = await spareDatabases();
    const run = worker.client.workflow.execute(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ target: fixture.targets.mysql, pick: { latest: true }, server: 'spare', stamp: '20300201T000099Z' }] });
    const failure = await failureOf(run);

    expect(failure.type).toBe('PreconditionFailed');
    expect(failure.message).toContain(`--server spare is a postgres server; target "${fixture.targets.mysql}" is mysql`);
    expect(await spareDatabases()).toEqual(before);
  });

  it('disk full during the restore (new databases on a tablespace on a 24 MB tmpfs): fails naming it, the replaced database untouched, no scratch left', async () => {
    const { scratchRoot } = testServers();
    tinyDir = join(scratchRoot, `tiny-${fixture.id}`);
    await mkdir(tinyDir);
    const { stdout: uid } = await execa('id', ['-u', 'postgres']);
    await execa('mount', ['-t', 'tmpfs', '-o', `size=24m,mode=0700,uid=${uid}`, 'tmpfs', tinyDir]);
    const old = `old_${fixture.id}`;
    await withSpare('postgres', (c) => c.query(`CREATE DATABASE ${old}`));
    await withSpare(old, (c) => c.query('CREATE TABLE kept AS SELECT g AS id FROM generate_series(1, 7) AS g'));
    // Every database created from now on (template1's tablespace) lives on the tiny filesystem.
    await withSpare('postgres', async (c) => {
      await c.query(`CREATE TABLESPACE tiny LOCATION '${tinyDir}'`);
      await c.query('ALTER DATABASE template1 SET TABLESPACE tiny');
    });
    const before = await spareDatabases();

    const failure = await failureOf((await restore({ server: 'spare', into: old, replace: true, yes: { by: 'test' } })).run);

    expect(failure.type).toBe('VerifyFailed');
    expect(failure.message).toContain('No space left on device');
    expect(await spareDatabases()).toEqual(before);
    expect(await withSpare(old, countPostgresRows)).toEqual([{ table: 'public.kept', rows: 7 }]);
    const logged = await new RestoreLog(fixture.config.repository).list([fixture.targets.postgres]);
    expect(logged.at(-1)).toMatchObject({ status: 'failed', database: old });
    expect(logged.at(-1)).not.toHaveProperty('rtoSeconds');
    await withSpare('postgres', async (c) => {
      await c.query('ALTER DATABASE template1 SET TABLESPACE pg_default');
      await c.query('DROP TABLESPACE tiny');
    });
  });
});
