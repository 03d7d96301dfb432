import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForPollers } from './worker-readiness.js';
import { NAMESPACE, startBenchTemporal } from './bench-temporal.js';
import { stringify } from 'yaml';
import { BackupRepository } from '../src/records/backup-repository.js';
import { describeAddress } from '../src/config/database-url.js';
import { loadConfig } from '../src/config/load-config.js';
import { workflowIds } from '../src/temporal/names.js';
import { nightlyBackup } from '../src/workflows/nightly-backup.js';
import { innermostMessage } from '../src/workflows/progress.js';
import { timelineOf, type Timeline } from './activity-timeline.js';
import type { BenchDatabase } from './bench-database.js';
import { ownCpuSeconds, treeCpuSeconds } from './cpu-meter.js';
import { procStatusBytes, RssSampler, type RssPeak } from './rss-sampler.js';
import type { Teardown } from './teardown.js';
import { startWorkerProcess } from './worker-process.js';

export interface WorkflowTimes {
  /** Client start → result. */
  total: number;
  /** dumpTarget, from the manifest's startedAt/finishedAt. */
  dump: number;
  /** verifyBackup, from verify.json's startedAt/finishedAt. */
  verify: number;
  /** pg_restore alone, verify.json's restoreSeconds. */
  restore: number;
  dumpBytes: number;
  parent: Timeline;
  child: Timeline;
  rss: RssPeak;
  /** CPU seconds: the PostgreSQL cluster, the worker's node process, its children (pg_dump, ...), the Temporal dev server. */
  cpu: { server: number; worker: number; children: number; temporal: number };
}

export interface WorkflowRig {
  /** Spawn → polling (includes bundling the workflows); not part of any timed run. */
  startupSeconds: number;
  startupRss: RssPeak;
  run(): Promise<WorkflowTimes>;
  workerHighWaterBytes(): number;
  /** CPU seconds used so far by the worker (with children) and the dev server: to see what they cost while idle. */
  cpuSeconds(): number;
}

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const TARGET = 'bench';
// temporal.api.enums.v1: TaskQueueKind NORMAL = 1; TaskQueueType WORKFLOW = 1, ACTIVITY = 2.

async function writeOpsConfig(dir: string, db: BenchDatabase): Promise<string> {
  const doc = {
    stateDir: './state',
    repository: './repo',
    reports: './reports',
    databases: [{ name: TARGET, url: describeAddress(db.reader), password: '${BENCH_PG_READER_PASSWORD}' }],
    backup: { verify: { postgres: { url: describeAddress(db.admin), password: '${BENCH_PG_ADMIN_PASSWORD}' } } },
  };
  const file = join(dir, 'ops.config.yaml');
  await writeFile(file, stringify(doc));
  return file;
}



/**
 * A Temporal dev server and an ops worker in its own process, configured for the bench database
 * (verify-restores go to the same server as admin, no offsite copy). Each run() is one nightlyBackup.
 */
export async function startWorkflowRig(root: string, db: BenchDatabase, teardown: Teardown, log: (line: string) => void): Promise<WorkflowRig> {
  const temporal = await startBenchTemporal(teardown, 'bench');
  const { client, taskQueue, pid: devPid } = temporal;

  const dir = join(root, 'ops');
  await mkdir(dir, { recursive: true });
  const configFile = await writeOpsConfig(dir, db);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...temporal.workerEnv,
    BENCH_PG_READER_PASSWORD: db.readerPassword,
    BENCH_PG_ADMIN_PASSWORD: db.server.adminPassword,
  };
  const config = loadConfig(configFile, env);
  const repository = new BackupRepository(config.repository);

  log(`starting worker on task queue ${taskQueue}`);
  const started = performance.now();
  const worker = startWorkerProcess({ projectRoot: PROJECT_ROOT, configFile, env });
  teardown.defer('stop worker', () => worker.stop());
  const sampler = new RssSampler(worker.pid);
  teardown.defer('stop RSS sampler', async () => sampler.stop());
  const startup = sampler.open();
  await worker.ready;
  await waitForPollers(client, NAMESPACE, taskQueue);
  const startupSeconds = (performance.now() - started) / 1000;
  const startupRss = startup.close();
  log(`worker polling after ${startupSeconds.toFixed(1)} s`);

  return {
    startupSeconds,
    startupRss,
    workerHighWaterBytes: () => procStatusBytes(worker.pid, 'VmHWM'),
    cpuSeconds: () => treeCpuSeconds(worker.pid) + treeCpuSeconds(devPid),
    async run() {
      const workflowId = `bench-backup-${randomBytes(4).toString('hex')}`;
      const window = sampler.open();
      const cpuNow = () => {
        const tree = treeCpuSeconds(worker.pid);
        const own = ownCpuSeconds(worker.pid);
        return { server: db.serverCpuSeconds(), worker: own, children: tree - own, temporal: treeCpuSeconds(devPid) };
      };
      const cpuBefore = cpuNow();
      const begun = performance.now();
      const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId, args: [{}] });
      let result;
      try {
        result = await temporal.abortable(() => handle.result());
      } catch (err) {
        throw new Error(`${workflowId} failed: ${innermostMessage(err)}\nworker output:\n${worker.outputTail()}`);
      }
      const total = (performance.now() - begun) / 1000;
      const cpuAfter = cpuNow();
      const cpu = {
        server: cpuAfter.server - cpuBefore.server,
        worker: cpuAfter.worker - cpuBefore.worker,
        children: cpuAfter.children - cpuBefore.children,
        temporal: cpuAfter.temporal - cpuBefore.temporal,
      };
      const rss = window.close();

      const entry = await repository.get(result.targets[0]!.backupId!);
      const { manifest, verify } = entry;
      if (verify?.status !== 'passed') throw new Error(`${entry.id}: verify ${verify?.status ?? 'missing'}: ${verify?.reasons.join('; ')}`);
      const seconds = (from: string, to: string | undefined) => (Date.parse(to ?? from) - Date.parse(from)) / 1000;
      const parent = await timelineOf(handle);
      const child = await timelineOf(client.workflow.getHandle(workflowIds.backupTarget(TARGET)));
      // Each run starts from the same repository state and disk usage.
      await repository.remove(entry.id);
      return {
        total,
        dump: seconds(manifest.startedAt, manifest.finishedAt),
        verify: seconds(verify.startedAt, verify.finishedAt),
        restore: verify.restoreSeconds ?? 0,
        dumpBytes: manifest.bytes,
        parent,
        child,
        rss,
        cpu,
      };
    },
  };
}
