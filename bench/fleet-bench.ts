import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { tsToMs } from '@temporalio/common/lib/time.js';
import pg from 'pg';
import { stringify } from 'yaml';
import { describeAddress } from '../src/config/database-url.js';
import { workflowIds } from '../src/temporal/names.js';
import { nightlyBackup } from '../src/workflows/nightly-backup.js';
import { innermostMessage } from '../src/workflows/progress.js';
import { mapBounded } from '../src/core/map-bounded.js';
import { positiveInteger } from './bench-args.js';
import { reportBenchFailure } from './bench-failure.js';
import { createBenchDatabase, type BenchDatabase } from './bench-database.js';
import { NAMESPACE, startBenchTemporal } from './bench-temporal.js';
import { runBarePipeline, type BarePhases } from './bare-pipeline.js';
import { profileLines, profileParent, profileTarget, type TargetProfile } from './fleet-profile.js';
import { Teardown } from './teardown.js';
import { reapedChildrenCpuSeconds, treeCpuSeconds } from './cpu-meter.js';
import { waitForPollers } from './worker-readiness.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/**
 * The nightly chain for N small targets at concurrency C across two `ops worker` processes (each
 * with its own state dir, one shared repository), against the bare dump + verify commands of each
 * target run one after another in the same run. fleet_ratio = wall ÷ (Σ bare ÷ C). It also prints
 * where a target's run spent its time (from the histories) and the CPU each side used per target.
 * Usage: tsx bench/fleet-bench.ts [--targets 20] [--concurrency 4] [--size-mb 6]
 */
const { values } = parseArgs({ options: { targets: { type: 'string', default: '20' }, concurrency: { type: 'string', default: '4' }, 'size-mb': { type: 'string', default: '6' } } });
const targets = positiveInteger('--targets', values.targets!);
const concurrency = positiveInteger('--concurrency', values.concurrency!);
const sizeMb = positiveInteger('--size-mb', values['size-mb']!);
const TABLES = ['customers', 'orders', 'order_items', 'events'];
const PROJECT_ROOT = resolve(import.meta.dirname, '..');

const log = (line: string) => console.error(`[bench] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);
const loadAtStart = loadavg()[0]!;

/** N copies of the bench database (CREATE DATABASE … TEMPLATE): the targets. */
async function copiesOf(db: BenchDatabase, count: number): Promise<string[]> {
  const client = new pg.Client({ host: db.admin.host, port: db.admin.port, user: db.admin.user, password: db.server.adminPassword, database: 'postgres' });
  await client.connect();
  try {
    const names = Array.from({ length: count }, (_, i) => `fleet_${String(i + 1).padStart(2, '0')}`);
    for (const name of names) await client.query(`CREATE DATABASE ${name} TEMPLATE ${db.name}`);
    return names;
  } finally {
    await client.end();
  }
}

async function writeConfig(dir: string, repository: string, db: BenchDatabase, names: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const doc = {
    stateDir: './state',
    repository,
    reports: './reports',
    databases: names.map((name) => ({ name, url: describeAddress({ ...db.reader, database: name }), password: '${BENCH_PG_READER_PASSWORD}' })),
    backup: { concurrency, verify: { postgres: { url: describeAddress(db.admin), password: '${BENCH_PG_ADMIN_PASSWORD}' } } },
  };
  const file = join(dir, 'ops.config.yaml');
  await writeFile(file, stringify(doc));
  return file;
}

try {
  const root = await mkdtemp(join(tmpdir(), 'ops-fleet-bench-'));
  teardown.defer('remove temp dir', () => rm(root, { recursive: true, force: true }));
  await chmod(root, 0o755);
  log(`filling a ${sizeMb} MB database and copying it ${targets} times under ${root}`);
  const db = await createBenchDatabase(root, sizeMb * 2 ** 20, teardown, log);
  const names = await copiesOf(db, targets);

  log(`bare: dump, checksum, createdb, restore, row counts, dropdb of each of ${targets} targets, one after another`);
  const barePhases: BarePhases[] = [];
  for (const [i, name] of names.entries()) barePhases.push(await runBarePipeline({ ...db, reader: { ...db.reader, database: name } }, root, i + 1, TABLES));
  const bare = barePhases.map((p) => p.total);
  const bareSum = bare.reduce((a, b) => a + b, 0);
  // The same commands C at a time: what the machine itself allows (on fewer cores than C, far from Σ bare ÷ C).
  log(`bare: the same, ${concurrency} targets at a time`);
  const parallelStarted = performance.now();
  const bareCpuFrom = { server: db.serverCpuSeconds(), tools: reapedChildrenCpuSeconds(process.pid) };
  await mapBounded(names, concurrency, (name, i) => runBarePipeline({ ...db, reader: { ...db.reader, database: name } }, root, 1000 + i, TABLES));
  const bareParallel = (performance.now() - parallelStarted) / 1000;
  const bareCpu = { server: db.serverCpuSeconds() - bareCpuFrom.server, tools: reapedChildrenCpuSeconds(process.pid) - bareCpuFrom.tools };

  const temporal = await startBenchTemporal(teardown, 'fleet');
  const env = { ...(process.env as Record<string, string>), ...temporal.workerEnv, BENCH_PG_READER_PASSWORD: db.readerPassword, BENCH_PG_ADMIN_PASSWORD: db.server.adminPassword };
  const repository = join(root, 'repo');
  const workers: WorkerProcess[] = [];
  for (const name of ['worker-a', 'worker-b']) {
    const worker = startWorkerProcess({ projectRoot: PROJECT_ROOT, configFile: await writeConfig(join(root, name), repository, db, names), env });
    teardown.defer(`stop ${name}`, () => worker.stop());
    workers.push(worker);
  }
  await Promise.all(workers.map((w) => w.ready));
  await waitForPollers(temporal.client, NAMESPACE, temporal.taskQueue);
  log(`two workers polling ${temporal.taskQueue}; nightlyBackup of ${targets} targets at concurrency ${concurrency}`);

  const workflowId = `fleet-${Date.now().toString(36)}`;
  // CPU seconds while the chain runs: where a loaded machine's cores went (the workers' include their pg_dump and pg_restore).
  const chainCpu = () => ({ server: db.serverCpuSeconds(), workers: workers.reduce((a, w) => a + treeCpuSeconds(w.pid), 0), temporal: treeCpuSeconds(temporal.pid) });
  const chainCpuFrom = chainCpu();
  const begun = performance.now();
  const handle = await temporal.client.workflow.start(nightlyBackup, { taskQueue: temporal.taskQueue, workflowId, args: [{}] });
  let result;
  try {
    result = await temporal.abortable(() => handle.result());
  } catch (err) {
    throw new Error(`${workflowId} failed: ${innermostMessage(err)}\n${workers.map((w) => w.outputTail()).join('\n')}`);
  }
  const wall = (performance.now() - begun) / 1000;
  const chainCpuTo = chainCpu();
  const failed = result.targets.filter((t) => t.error);
  if (failed.length > 0) throw new Error(`targets failed: ${failed.map((t) => t.error).join('; ')}`);

  const identities = new Map<string, number>();
  // Temporal's own share of a target: its child run's time outside its activities (scheduling, workflow tasks).
  let outsideActivities = 0;
  const profiles: TargetProfile[] = [];
  const parentProfile = profileParent((await handle.fetchHistory()).events ?? []);
  for (const name of names) {
    const events = (await temporal.client.workflow.getHandle(workflowIds.backupTarget(name)).fetchHistory()).events ?? [];
    profiles.push(profileTarget(events));
    const at = (e: (typeof events)[number]) => tsToMs(e.eventTime);
    const started = new Map<string, number>();
    let inActivities = 0;
    for (const e of events) {
      const identity = e.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.set(identity, (identities.get(identity) ?? 0) + 1);
      if (e.activityTaskStartedEventAttributes) started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), at(e));
      const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
      if (done) inActivities += at(e) - started.get(String(done.scheduledEventId))!;
    }
    outsideActivities += at(events.at(-1)!) - at(events[0]!) - inActivities;
  }
  await teardown.run(log);

  const ideal = bareSum / concurrency;
  const perTarget = (seconds: number) => ((seconds / targets) * 1000).toFixed(0);
  const lines = [
    `targets=${targets} concurrency=${concurrency} workers=2 database_mb=${(db.sizeBytes / 2 ** 20).toFixed(1)} cpus=${availableParallelism()} load_start=${loadAtStart.toFixed(2)} load_end=${loadavg()[0]!.toFixed(2)}`,
    `bare_sum_s=${bareSum.toFixed(2)} bare_per_target_s=${(bareSum / targets).toFixed(2)} (min ${Math.min(...bare).toFixed(2)}, max ${Math.max(...bare).toFixed(2)})`,
    `wall_s=${wall.toFixed(2)} ideal_s=${ideal.toFixed(2)}`,
    `fleet_ratio=${(wall / ideal).toFixed(3)}`,
    `bare_parallel_s=${bareParallel.toFixed(2)} (the bare commands ${concurrency} at a time) wall_vs_bare_parallel=${(wall / bareParallel).toFixed(3)}`,
    `temporal_overhead_per_target_ms=${(outsideActivities / targets).toFixed(0)} (each target's run outside its activities)`,
    // What each target's slot cost beyond its bare commands, ops' own extra checks included: (wall × C − Σ bare) ÷ N.
    `slot_overhead_per_target_ms=${(((wall * concurrency - bareSum) / targets) * 1000).toFixed(0)}`,
    `target_steps_per_worker=${[...identities.values()].join(',')}`,
    `bare_phases_ms ${(['dump', 'checksum', 'createDatabase', 'restore', 'counts', 'dropDatabase'] as const).map((k) => `${k}=${((barePhases.reduce((a, p) => a + p[k], 0) / targets) * 1000).toFixed(0)}`).join(' ')}`,
    ...profileLines(profiles, parentProfile),
    // CPU per target, load-insensitive: what the bare commands cost (4 at a time) against what the chain cost, workers' tools included.
    `cpu_per_target_ms bare: server=${perTarget(bareCpu.server)} tools=${perTarget(bareCpu.tools)} total=${perTarget(bareCpu.server + bareCpu.tools)}`
      + ` chain: server=${perTarget(chainCpuTo.server - chainCpuFrom.server)} workers=${perTarget(chainCpuTo.workers - chainCpuFrom.workers)} temporal=${perTarget(chainCpuTo.temporal - chainCpuFrom.temporal)}`
      + ` total=${perTarget(chainCpuTo.server - chainCpuFrom.server + chainCpuTo.workers - chainCpuFrom.workers + chainCpuTo.temporal - chainCpuFrom.temporal)}`,
  ];
  console.log(lines.join('\n'));
} catch (err) {
  reportBenchFailure(err);
} finally {
  await teardown.run(log);
}
