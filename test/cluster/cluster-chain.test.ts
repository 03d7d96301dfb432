import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTree, sha256OfFile } from '../../src/activities/files/hash-tree.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { compareSnapshots, snapshotDigest } from '../../src/core/snapshot-digest.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { namesIn } from '../support/backup-world.js';
import { addBulkPostgresTable } from '../support/bulk-table.js';
import { processesRunning } from '../support/processes.js';
import { holdTableLock } from '../support/table-lock.js';
import { testServers } from '../support/servers.js';
import { buildTemporalServer, startTemporalCluster, type TemporalCluster } from '../support/temporal-cluster.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/** A table big enough that the dump, once let go, still streams while the chain runs on. */
const BULK_ROWS = 600_000;
/** The first run builds the server from the Go module proxy: several minutes on two loaded cores. */
const BUILD_AND_START_MS = 40 * 60_000;

describe('the nightly chain on a production-style Temporal server (PostgreSQL persistence, two workers)', () => {
  let dir: string;
  let cluster: TemporalCluster | undefined;
  let fixture: BackupFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    await buildTemporalServer();
    dir = await mkdtemp(join(testServers().scratchRoot, 'cluster-'));
    [cluster, fixture] = await Promise.all([startTemporalCluster(dir), makeBackupFixture({ offsite: 'local' })]);
    await addBulkPostgresTable(fixture.pgDatabase, BULK_ROWS);
    connection = await Connection.connect({ address: cluster.address });
  }, BUILD_AND_START_MS);

  afterAll(async () => {
    // Worker processes run detached from vitest: kill them here whatever happened in the test.
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await cluster?.stop();
    await fixture?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes after one worker is killed with SIGKILL and the server restarts mid-chain, with every artifact intact', async () => {
    const client = new Client({ connection: connection!, namespace: cluster!.namespace });
    const taskQueue = `cluster-${randomBytes(4).toString('hex')}`;
    const startWorker = async () => {
      const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue, temporalAddress: cluster!.address });
      workers.push(worker);
      return worker;
    };
    const pair = await Promise.all([startWorker(), startWorker()]);
    const workflowId = `nightly-cluster-${randomBytes(4).toString('hex')}`;
    // pg_dump waits for this lock, so the dump is still running whenever the test looks, however loaded the machine.
    const releaseBulk = await holdTableLock(fixture.pgDatabase, 'public.bulk');
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId, args: [{}] });

    const dumpsBy = async (worker: WorkerProcess) =>
      (await processesRunning('pg_dump', `--dbname=${fixture.pgDatabase}`)).filter((dump) => dump.ppid === worker.pid);
    let victim: WorkerProcess | undefined;
    await waitFor('pg_dump of the bulk database to start on a worker', async () => {
      for (const worker of pair) if ((await dumpsBy(worker)).length > 0) victim = worker;
      return victim !== undefined;
    }, 120_000, 50);
    const survivor = pair.find((worker) => worker !== victim)!;
    await victim!.killAlone();

    // Temporal hands the dump to the other worker once its heartbeats have stopped for the heartbeat timeout (20 s).
    await waitFor('the dump to run again on the other worker', async () => (await dumpsBy(survivor)).length > 0, 180_000, 50);
    await cluster!.restart();
    // Mid-chain: the dump is still waiting for the lock, its verify-restore still to come.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await releaseBulk();
    const result = await handle.result();

    expect(result.targets.map((t) => [t.target, t.error])).toEqual(fixture.config.targets.map((t) => [t.name, undefined]));
    const [dump, ...more] = await activityRuns(client, workflowIds.backupTarget(fixture.targets.postgres), 'dumpTarget');
    expect(more).toEqual([]);
    expect([dump!.outcome, dump!.lastFailure?.type]).toEqual(['completed', 'timeout HEARTBEAT']);

    const entries = await new BackupRepository(fixture.config.repository).list();
    expect(entries.map((e) => e.target).sort()).toEqual(Object.values(fixture.targets).sort());
    for (const entry of entries) {
      expect([entry.id, entry.verify?.status, entry.offsite?.status]).toEqual([entry.id, 'passed', 'copied']);
      // Nothing of the killed attempt is left beside the backup.
      expect(await namesIn(join(fixture.config.repository, entry.target))).toEqual([entry.stamp]);
      const artifact = join(entry.dir, entry.manifest.artifact);
      const offsiteCopy = join(fixture.offsiteDir, entry.target, entry.stamp, entry.manifest.artifact);
      if (entry.manifest.kind === 'files') {
        for (const copy of [artifact, offsiteCopy]) {
          const files = await hashTree(copy);
          expect(compareSnapshots(entry.manifest.files ?? [], files), copy).toEqual([]);
          expect(snapshotDigest(files), copy).toBe(entry.manifest.sha256);
        }
        expect(compareSnapshots(entry.manifest.files ?? [], await hashTree(fixture.filesDir))).toEqual([]);
      } else {
        expect(await sha256OfFile(artifact), artifact).toBe(entry.manifest.sha256);
        expect(await sha256OfFile(offsiteCopy), offsiteCopy).toBe(entry.manifest.sha256);
      }
    }
    const pgEntry = entries.find((e) => e.target === fixture.targets.postgres)!;
    expect(pgEntry.manifest.tables).toContainEqual({ table: 'public.bulk', rows: BULK_ROWS });
    // The survivor rode out the server's restart: it polled on and ran the rest of the chain.
    expect(() => process.kill(survivor.pid, 0)).not.toThrow();
  }, 20 * 60_000);
});
