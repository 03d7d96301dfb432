import { reportBenchFailure } from './bench-failure.js';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { BackupRepository } from '../src/records/backup-repository.js';
import { RestoreLog } from '../src/records/restore-log.js';
import { pgRestore } from '../src/commands/postgres.js';
import { restoreJobs } from '../src/core/restore-jobs.js';
import { describeAddress } from '../src/config/database-url.js';
import { Secret } from '../src/config/secret.js';
import { nightlyBackup } from '../src/workflows/nightly-backup.js';
import { pgAdminTool } from './bare-pipeline.js';
import { createBenchDatabase, type BenchDatabase } from './bench-database.js';
import { NAMESPACE, startBenchTemporal } from './bench-temporal.js';
import { Teardown } from './teardown.js';
import { timelineOf } from './activity-timeline.js';
import { startWorkerProcess } from './worker-process.js';
import { waitForPollers } from './worker-readiness.js';
import { positiveInteger } from './bench-args.js';

/**
 * Restore speed of `ops restore` against the restore a user would script, on one artifact: ops
 * makes one backup of a PostgreSQL database, then each round restores it (a) bare, `createdb` +
 * `pg_restore` into a new database, once single-job and once with the `--jobs=N` ops uses for a
 * dump on disk, and (b) `ops restore --latest --into X --wait` through the CLI, the workflow and its
 * checks. The ratio compares ops with the bare restore of the same jobs. A warm-up round first,
 * then `--rounds` rounds; medians.
 * Usage: BENCH_DB_MB=1024 tsx bench/restore-bench.ts [--size-mb N] [--rounds N]
 */
const { values } = parseArgs({ options: { 'size-mb': { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const sizeMb = positiveInteger('--size-mb / BENCH_DB_MB', values['size-mb'] ?? process.env.BENCH_DB_MB ?? '1024');
const rounds = positiveInteger('--rounds', values.rounds!);

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const TARGET = 'bench';
const log = (line: string) => console.error(`[bench] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);
const loadAtStart = loadavg()[0]!;

/** The target connects as the server's admin: a restore creates databases as the target's user. */
async function writeOpsConfig(dir: string, db: BenchDatabase): Promise<string> {
  const admin = describeAddress(db.admin);
  const doc = {
    stateDir: './state',
    repository: './repo',
    reports: './reports',
    databases: [{ name: TARGET, url: describeAddress({ ...db.admin, database: db.name }), password: '${BENCH_PG_ADMIN_PASSWORD}' }],
    backup: { verify: { postgres: { url: admin, password: '${BENCH_PG_ADMIN_PASSWORD}' } } },
  };
  const file = join(dir, 'ops.config.yaml');
  await writeFile(file, stringify(doc));
  return file;
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return (performance.now() - started) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

try {
  const root = await mkdtemp(join(tmpdir(), 'ops-restore-bench-'));
  teardown.defer('remove temp dir', () => rm(root, { recursive: true, force: true }));
  // PostgreSQL runs as the postgres OS user, which must reach its data dir below root.
  await chmod(root, 0o755);

  log(`filling a ${sizeMb} MB database under ${root}`);
  const db = await createBenchDatabase(root, sizeMb * 2 ** 20, teardown, log);
  const temporal = await startBenchTemporal(teardown, 'bench-restore');
  const dir = join(root, 'ops');
  await mkdir(dir, { recursive: true });
  const configFile = await writeOpsConfig(dir, db);
  const adminPassword = db.server.adminPassword;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...temporal.workerEnv, BENCH_PG_ADMIN_PASSWORD: adminPassword };
  const worker = startWorkerProcess({ projectRoot: PROJECT_ROOT, configFile, env });
  teardown.defer('stop worker', () => worker.stop());
  await worker.ready;
  await waitForPollers(temporal.client, NAMESPACE, temporal.taskQueue);

  log('one backup through ops (nightlyBackup: dump and verify)');
  await temporal.abortable(() => temporal.client.workflow.execute(nightlyBackup, { taskQueue: temporal.taskQueue, workflowId: `bench-backup-${Date.now()}`, args: [{}] }));
  const [backup] = await new BackupRepository(join(dir, 'repo')).list(TARGET);
  if (backup?.verify?.status !== 'passed') throw new Error(`the backup did not pass verify: ${backup?.verify?.reasons.join('; ') ?? 'none made'}`);
  const artifact = join(backup.dir, backup.manifest.artifact);
  const dropDatabase = async (name: string) => {
    const drop = pgAdminTool('dropdb', db.admin, adminPassword, name);
    await execa(drop.file, drop.args, { env: drop.env ?? {}, stdin: 'ignore' });
  };

  /**
   * Where each ops round's time went, from the CLI's spawn and exit and the run's history (the
   * server's clock, on this host): the CLI until the run started, each activity (queued, ran), the
   * hand-overs between them, and the run's end until the CLI exited.
   */
  const opsBreakdown = async (workflowIds: string[], spans: Array<{ spawned: number; exited: number }>) => {
    const timelines = await Promise.all(workflowIds.map((id) => timelineOf(temporal.client.workflow.getHandle(id))));
    const parts = new Map<string, number[]>();
    const add = (name: string, value: number) => parts.set(name, [...(parts.get(name) ?? []), value]);
    timelines.forEach((timeline, i) => {
      add('CLI to run start', timeline.origin - spans[i]!.spawned);
      for (const step of timeline.steps) add(step.name, step.ran);
      for (const step of timeline.steps) add(`${step.name} queued`, step.queued);
      add('hand-overs in the run', timeline.span - timeline.steps.reduce((sum, s) => sum + s.ran + s.queued, 0));
      add('run end to CLI exit', spans[i]!.exited - (timeline.origin + timeline.span));
    });
    return [...parts].map(([name, values]) => `${name} ${median(values).toFixed(3)}`).join('; ');
  };

  // What restorePostgres passes for a dump on disk (the bench's is not encrypted).
  const jobs = restoreJobs(availableParallelism(), backup.manifest.bytes);
  const bare = async (name: string, parallel?: number) => {
    const create = pgAdminTool('createdb', db.admin, adminPassword, name);
    const restore = pgRestore(db.admin, new Secret(adminPassword, 'bench'), { database: name, file: artifact, ...(parallel !== undefined ? { jobs: parallel } : {}) });
    const seconds = await timed(async () => {
      await execa(create.file, create.args, { env: create.env ?? {}, stdin: 'ignore' });
      await execa(restore.file, restore.args, { env: restore.env ?? {}, stdin: 'ignore' });
    });
    await dropDatabase(name);
    return seconds;
  };
  const cliSpans: Array<{ spawned: number; exited: number }> = [];
  const throughOps = async (name: string) => {
    const spawned = Date.now() / 1000;
    const seconds = await timed(async () => {
      const cli = await execa(process.execPath, ['bin/ops.js', '--config', configFile, 'restore', TARGET, '--latest', '--into', name, '--wait'], { cwd: PROJECT_ROOT, env, stdin: 'ignore', reject: false });
      if (cli.exitCode !== 0) throw new Error(`ops restore exited ${cli.exitCode}: ${cli.stderr || cli.stdout}`);
    });
    cliSpans.push({ spawned, exited: spawned + seconds });
    await dropDatabase(name);
    return seconds;
  };

  log(`warm-up: one bare restore of each kind, one ops restore (not counted); ops runs pg_restore --jobs=${jobs}`);
  await bare('bare_warmup');
  await bare('bare_jobs_warmup', jobs);
  await throughOps('ops_warmup');
  const bareSeconds: number[] = [];
  const bareJobsSeconds: number[] = [];
  const opsSeconds: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    bareSeconds.push(await bare(`bare_${round}`));
    bareJobsSeconds.push(await bare(`bare_jobs_${round}`, jobs));
    opsSeconds.push(await throughOps(`ops_${round}`));
    log(`round ${round}/${rounds}: bare ${bareSeconds.at(-1)!.toFixed(2)} s, bare --jobs=${jobs} ${bareJobsSeconds.at(-1)!.toFixed(2)} s, ops ${opsSeconds.at(-1)!.toFixed(2)} s`);
  }
  const runs = (await new RestoreLog(join(dir, 'repo')).list([TARGET])).slice(1);
  const rtos = runs.map((e) => e.rtoSeconds ?? Number.NaN);
  const breakdown = await opsBreakdown(runs.map((r) => r.workflowId), cliSpans.slice(1));

  await teardown.run(log);
  const bareMedian = median(bareSeconds);
  const bareJobsMedian = median(bareJobsSeconds);
  const opsMedian = median(opsSeconds);
  console.log(
    [
      `PostgreSQL ${db.serverVersion}, database ${(db.sizeBytes / 2 ** 20).toFixed(0)} MB, dump ${(backup.manifest.bytes / 2 ** 20).toFixed(1)} MB; ${availableParallelism()} CPUs, load ${loadAtStart.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
      `rounds ${rounds} after a warm-up; seconds per round: bare ${bareSeconds.map((s) => s.toFixed(2)).join(' ')}; bare --jobs=${jobs} ${bareJobsSeconds.map((s) => s.toFixed(2)).join(' ')}; ops ${opsSeconds.map((s) => s.toFixed(2)).join(' ')}`,
      `ops seconds, medians of the rounds: ${breakdown}`,
      `bare_restore_seconds=${bareMedian.toFixed(2)}   (createdb + pg_restore, single job, median)`,
      `bare_restore_jobs_seconds=${bareJobsMedian.toFixed(2)}   (createdb + pg_restore --jobs=${jobs}, median)`,
      `ops_restore_seconds=${opsMedian.toFixed(2)}   (ops restore --latest --into X --wait with pg_restore --jobs=${jobs}: CLI, workflow, checksum, restore, checks, rename, report; median)`,
      `ops_rto_seconds=${median(rtos).toFixed(2)}   (the runs' recorded RTO, start to checked; median)`,
      `restore_overhead_ratio_vs_single_job=${(opsMedian / bareMedian).toFixed(3)}   (ops ÷ bare single-job)`,
      `restore_overhead_ratio=${(opsMedian / bareJobsMedian).toFixed(3)}   (ops ÷ bare with the same --jobs=${jobs})`,
    ].join('\n'),
  );
} catch (err) {
  reportBenchFailure(err);
} finally {
  await teardown.run(log);
}
