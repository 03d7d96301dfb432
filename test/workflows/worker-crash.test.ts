import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_ARTIFACT } from '../../src/activities/backup/dump-postgres.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { namesIn } from '../support/backup-world.js';
import { addBulkPostgresTable } from '../support/bulk-table.js';
import { processesRunning } from '../support/processes.js';
import { testServers } from '../support/servers.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const BULK_ROWS = 600_000;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** The artifact of an attempt in progress: a .partial-* directory whose dump file grows between two looks. */
async function growingPartialArtifact(targetDir: string): Promise<string> {
  let artifact = '';
  let lastSize = -1;
  await waitFor('a partial dump that grows', async () => {
    const partial = (await namesIn(targetDir)).find((name) => name.startsWith('.partial-'));
    if (!partial) return false;
    const file = join(targetDir, partial, POSTGRES_ARTIFACT);
    const size = existsSync(file) ? (await stat(file)).size : 0;
    const growing = file === artifact && size > lastSize && lastSize > 0;
    [artifact, lastSize] = [file, size];
    return growing;
  }, 60_000, 200);
  return artifact;
}

async function pgDumpRunningFor(database: string): Promise<boolean> {
  return (await execa('pgrep', ['-f', `pg_dump .*--dbname=${database}`], { reject: false })).exitCode === 0;
}

describe('a worker killed in the middle of a dump', () => {
  let fixture: BackupFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    await addBulkPostgresTable(fixture.pgDatabase, BULK_ROWS);
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    // Worker processes run detached from vitest: kill them here whatever happened in the test.
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await fixture?.cleanup();
  });

  it('runs the dump again from scratch on the next worker, and never lists the partial artifact', async () => {
    const client = new Client({ connection: connection! });
    const repository = new BackupRepository(fixture.config.repository);
    const target = fixture.targets.postgres;
    const targetDir = join(fixture.config.repository, target);
    const taskQueue = `crash-${randomBytes(4).toString('hex')}`;
    const startWorker = async () => {
      const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
      workers.push(worker);
      return worker;
    };

    const first = await startWorker();
    const workflowId = `nightly-crash-${randomBytes(4).toString('hex')}`;
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId, args: [{ targets: [target] }] });

    const killedArtifact = await growingPartialArtifact(targetDir);
    expect(await repository.list(target)).toEqual([]);
    await first.kill();
    expect(await pgDumpRunningFor(fixture.pgDatabase)).toBe(false);
    // What the dead attempt left is still a partial: nothing lists it as a backup.
    expect(existsSync(killedArtifact)).toBe(true);
    expect(await repository.list(target)).toEqual([]);

    // Temporal notices the dead worker only when its heartbeats stop for the heartbeat timeout (20 s).
    await startWorker();
    const result = await handle.result();

    expect(result.targets).toEqual([{ target, backupId: expect.stringMatching(new RegExp(`^${target}-`)) }]);
    const entries = await repository.list(target);
    expect(entries.map((e) => e.id)).toEqual([result.targets[0]!.backupId]);
    const [entry] = entries;
    expect(await sha256OfFile(join(entry!.dir, entry!.manifest.artifact))).toBe(entry!.manifest.sha256);
    expect(entry!.manifest.tables).toContainEqual({ table: 'public.bulk', rows: BULK_ROWS });
    expect(entry!.verify?.status).toBe('passed');
    expect(await namesIn(targetDir)).toEqual([entry!.stamp]);
    expect(existsSync(killedArtifact)).toBe(false);

    const [dump, ...more] = await activityRuns(client, workflowIds.backupTarget(target), 'dumpTarget');
    expect(more).toEqual([]);
    expect(dump!.outcome).toBe('completed');
    expect(dump!.attempt).toBeGreaterThanOrEqual(2);
    expect(dump!.lastFailure?.type).toBe('timeout HEARTBEAT');
  }, 150_000);

  it('kills pg_dump with the worker: `kill -9` of the worker alone leaves no pg_dump waiting on the database', async () => {
    const client = new Client({ connection: connection! });
    const taskQueue = `crash-${randomBytes(4).toString('hex')}`;
    // pg_dump waits for this lock, writing nothing: an orphan would wait on, holding its connection and snapshot.
    await holdTableLock(fixture.pgDatabase, 'bulk');
    const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
    workers.push(worker);
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId: `nightly-crash-${randomBytes(4).toString('hex')}`, args: [{ targets: [fixture.targets.postgres] }] });
    const dumps = () => processesRunning('pg_dump', `--dbname=${fixture.pgDatabase}`);
    await waitFor('pg_dump to start', async () => (await dumps()).length > 0, 60_000, 50);
    expect((await dumps()).map((p) => p.ppid)).toEqual([worker.pid]);

    await worker.killAlone();

    await waitFor('no pg_dump left', async () => (await dumps()).length === 0, 2_000, 50);
    await handle.terminate('the test is done with it');
  }, 120_000);
});
