import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlBinaries } from '../../src/activities/backup/mysql-binaries.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { addBulkMariadbTable, addBulkPostgresTable } from '../support/bulk-table.js';
import { processesRunning, type LiveProcess } from '../support/processes.js';
import { allJobsLoading, restoreLeaders, restoreProcesses } from '../support/scratch-restore.js';
import { testServers } from '../support/servers.js';
import { leftoverVerifyDatabases } from '../support/verify-databases.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const BULK_ROWS = 600_000;

/**
 * `kill -9` of the worker while its restore tool loads into the verify_* scratch database: the tool
 * must die with the worker, and the retry, on a worker that was already running (so its start-up
 * clean-up cannot be what helps), must drop the dead attempt's database before it makes its own,
 * and leave none.
 */
describe('a worker killed while a verify-restore loads into its scratch database', () => {
  let fixture: BackupFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    await Promise.all([addBulkPostgresTable(fixture.pgDatabase, BULK_ROWS), addBulkMariadbTable(fixture.myDatabase, BULK_ROWS)]);
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    // Worker processes run detached from vitest: kill them, and anything left in their groups, whatever happened.
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await fixture?.cleanup();
  });

  /** The restore's tools for `target` still alive, and among them the one that shows the load is under way. */
  type RestoreTools = (target: string) => { all(): Promise<LiveProcess[]>; loading(): Promise<LiveProcess[]> };

  const scratchOf = (target: string) => `verify_${target.replace(/-/g, '_')}_`;

  const pgRestore: RestoreTools = (target) => ({
    all: () => restoreProcesses(scratchOf(target)),
    // Loading once the leader has forked its jobs (after the definitions).
    loading: async () => ((await allJobsLoading(scratchOf(target))) ? restoreLeaders(await restoreProcesses(scratchOf(target))) : []),
  });

  const mariadbImport: RestoreTools = (target) => {
    const artifacts = `${fixture.config.repository}/${target}/`;
    const importing = () => processesRunning(mysqlBinaries().client, scratchOf(target));
    return {
      all: async () => [...(await importing()), ...(await processesRunning('zstd', artifacts))],
      loading: importing,
    };
  };

  it.each<[string, () => string, RestoreTools]>([
    ['pg_restore', () => fixture.targets.postgres, pgRestore],
    ['the mariadb import and its zstd', () => fixture.targets.mysql, mariadbImport],
  ])('%s dies with the worker; the retry drops the dead attempt’s database first and leaves none', async (_, targetOf, toolsOf) => {
    const target = targetOf();
    const tools = toolsOf(target);
    const client = new Client({ connection: connection! });
    const taskQueue = `verify-crash-${randomBytes(4).toString('hex')}`;
    const pair = await Promise.all([0, 1].map(() => startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue })));
    workers.push(...pair);
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId: `verify-crash-${randomBytes(4).toString('hex')}`, args: [{ targets: [target] }] });
    const scratch = async () => leftoverVerifyDatabases(scratchOf(target));

    await waitFor('the restore loading into its scratch database', async () => (await tools.loading()).length > 0, 150_000, 50);
    const [loader] = await tools.loading();
    const owner = pair.find((worker) => worker.pid === loader!.ppid);
    expect(owner, `the restore tool's parent ${loader!.ppid} is one of the workers`).toBeDefined();
    const survivor = pair.find((worker) => worker !== owner)!;
    await owner!.killAlone();

    // The kernel kills them as the worker dies; an orphan would go on loading for seconds more.
    await waitFor('no restore tool of the dead worker left', async () => (await tools.all()).length === 0, 2_000, 50);
    const dead = await scratch();
    expect(dead).toHaveLength(1);

    // Temporal retries the step once the dead worker's heartbeats stop (20 s); sample the scratch databases meanwhile.
    let most = 0;
    let settled = false;
    const outcome = handle.result().finally(() => (settled = true));
    while (!settled) {
      most = Math.max(most, (await scratch()).length);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const result = await outcome;

    expect(result.targets).toEqual([{ target, backupId: expect.stringMatching(new RegExp(`^${target}-`)) }]);
    const entry = await new BackupRepository(fixture.config.repository).get(result.targets[0]!.backupId!);
    expect(entry.verify?.status, survivor.output()).toBe('passed');
    expect(entry.verify?.restoredInto).not.toBe(dead[0]!.split(':')[1]);
    expect(most).toBe(1);
    expect(await scratch()).toEqual([]);
    const [verify, ...more] = await activityRuns(client, workflowIds.backupTarget(target), 'verifyBackup');
    expect(more).toEqual([]);
    expect([verify!.outcome, verify!.attempt, verify!.lastFailure?.type]).toEqual(['completed', 2, 'timeout HEARTBEAT']);
  }, 300_000);
});
