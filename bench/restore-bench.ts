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
import { describeAddress, type DatabaseAddress } from '../src/config/database-url.js';
import { Secret } from '../src/config/secret.js';
import { nightlyBackup } from '../src/workflows/nightly-backup.js';
import { pgAdminTool } from './bare-pipeline.js';
import { createBenchDatabase } from './bench-database.js';
import { createBenchMariadb } from './bench-mariadb.js';
import { NAMESPACE, startBenchTemporal } from './bench-temporal.js';
import { Teardown } from './teardown.js';
import { timelineOf } from './activity-timeline.js';
import { startWorkerProcess } from './worker-process.js';
import { waitForPollers } from './worker-readiness.js';
import { positiveInteger } from './bench-args.js';

/**
 * Restore speed of `ops restore` against the restore a user would script, on one artifact: ops
 * makes one backup of a database, then each round restores it (a) bare, as a script would, into a
 * new database, and (b) `ops restore --latest --into X --wait` through the CLI, the workflow and its
 * checks. PostgreSQL (the default): `createdb` + `pg_restore`, once single-job and once with the
 * `--jobs=N` ops uses for a dump on disk; the ratio compares ops with the same jobs. MariaDB
 * (`--engine mysql`): `CREATE DATABASE` + `zstd -dc dump | mariadb db`. A warm-up round first,
 * then `--rounds` rounds; medians.
 * Usage: BENCH_DB_MB=1024 tsx bench/restore-bench.ts [--engine postgres|mysql] [--size-mb N] [--rounds N]
 */
const { values } = parseArgs({ options: { engine: { type: 'string', default: process.env.BENCH_ENGINE ?? 'postgres' }, 'size-mb': { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const engine = values.engine!;
if (engine !== 'postgres' && engine !== 'mysql') {
  console.error(`--engine: "${engine}" is neither postgres nor mysql`);
  process.exit(2);
}
// A MariaDB import is one stream of INSERTs, several times slower per MB than pg_restore: a smaller default.
const sizeMb = positiveInteger('--size-mb / BENCH_DB_MB', values['size-mb'] ?? process.env.BENCH_DB_MB ?? (engine === 'mysql' ? '256' : '1024'));
const rounds = positiveInteger('--rounds', values.rounds!);

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const TARGET = 'bench';
const log = (line: string) => console.error(`[bench] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);
const loadAtStart = loadavg()[0]!;

/** One way to restore the artifact without ops: a new database, then the restore into it. */
interface BareRestore {
  /** printed as `<key>_seconds=` */
  key: string;
  label: string;
  run(database: string, artifact: string): Promise<void>;
}

/** The database under test, on its own throwaway server, and how a script restores it without ops. */
interface Subject {
  describe: string;
  admin: DatabaseAddress;
  adminPassword: string;
  database: string;
  /** the bare restores for an artifact of this size; ops is compared with the last */
  bareRestores(artifactBytes: number): BareRestore[];
  /** what ops runs for the restore itself, for the result lines */
  opsRuns(artifactBytes: number): string;
  drop(database: string): Promise<void>;
}

const exec = (command: { file: string; args: string[]; env?: Record<string, string> | undefined }) => execa(command.file, command.args, { env: command.env ?? {}, stdin: 'ignore' });

async function postgresSubject(root: string): Promise<Subject> {
  const db = await createBenchDatabase(root, sizeMb * 2 ** 20, teardown, log);
  const adminPassword = db.server.adminPassword;
  // What restorePostgres passes for a dump on disk (the bench's is not encrypted).
  const jobsFor = (bytes: number) => restoreJobs(availableParallelism(), bytes);
  const restore = async (name: string, artifact: string, jobs?: number) => {
    await exec(pgAdminTool('createdb', db.admin, adminPassword, name));
    await exec(pgRestore(db.admin, new Secret(adminPassword, 'bench'), { database: name, file: artifact, ...(jobs !== undefined ? { jobs } : {}) }));
  };
  return {
    describe: `PostgreSQL ${db.serverVersion}, database ${(db.sizeBytes / 2 ** 20).toFixed(0)} MB`,
    admin: db.admin,
    adminPassword,
    database: db.name,
    bareRestores: (bytes) => [
      { key: 'bare_restore', label: 'createdb + pg_restore, single job', run: (name, artifact) => restore(name, artifact) },
      { key: 'bare_restore_jobs', label: `createdb + pg_restore --jobs=${jobsFor(bytes)}`, run: (name, artifact) => restore(name, artifact, jobsFor(bytes)) },
    ],
    opsRuns: (bytes) => `pg_restore --jobs=${jobsFor(bytes)}`,
    drop: async (name) => void (await exec(pgAdminTool('dropdb', db.admin, adminPassword, name))),
  };
}

async function mariadbSubject(root: string): Promise<Subject> {
  const db = await createBenchMariadb(root, sizeMb * 2 ** 20, teardown, log);
  const adminPassword = db.server.adminPassword;
  const server = ['--protocol=TCP', `--host=${db.admin.host}`, `--port=${db.admin.port}`, `--user=${db.admin.user}`];
  const env = { MYSQL_PWD: adminPassword };
  const sql = (statement: string) => exec({ file: 'mariadb', args: [...server, '-e', statement], env });
  return {
    describe: `MariaDB ${db.serverVersion}, database ${(db.sizeBytes / 2 ** 20).toFixed(0)} MB (data and indexes)`,
    admin: db.admin,
    adminPassword,
    database: db.name,
    bareRestores: () => [
      {
        key: 'bare_restore',
        label: 'CREATE DATABASE + zstd -dc dump | mariadb db',
        run: async (name, artifact) => {
          await sql(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
          await exec({ file: 'sh', args: ['-c', 'f=$1; shift; zstd -dc -- "$f" | mariadb "$@"', 'sh', artifact, ...server, '--default-character-set=utf8mb4', '--', name], env });
        },
      },
    ],
    opsRuns: () => 'zstd -dc | mariadb',
    drop: async (name) => void (await sql(`DROP DATABASE ${name}`)),
  };
}

/** The target connects as the server's admin: a restore creates databases as the target's user. */
async function writeOpsConfig(dir: string, subject: Subject): Promise<string> {
  const doc = {
    stateDir: './state',
    repository: './repo',
    reports: './reports',
    databases: [{ name: TARGET, url: describeAddress({ ...subject.admin, database: subject.database }), password: '${BENCH_ADMIN_PASSWORD}' }],
    backup: { verify: { [engine]: { url: describeAddress(subject.admin), password: '${BENCH_ADMIN_PASSWORD}' } } },
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

  log(`filling a ${sizeMb} MB ${engine} database under ${root}`);
  const subject = engine === 'mysql' ? await mariadbSubject(root) : await postgresSubject(root);
  const temporal = await startBenchTemporal(teardown, 'bench-restore');
  const dir = join(root, 'ops');
  await mkdir(dir, { recursive: true });
  const configFile = await writeOpsConfig(dir, subject);
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...temporal.workerEnv, BENCH_ADMIN_PASSWORD: subject.adminPassword };
  const worker = startWorkerProcess({ projectRoot: PROJECT_ROOT, configFile, env });
  teardown.defer('stop worker', () => worker.stop());
  await worker.ready;
  await waitForPollers(temporal.client, NAMESPACE, temporal.taskQueue);

  log('one backup through ops (nightlyBackup: dump and verify)');
  await temporal.abortable(() => temporal.client.workflow.execute(nightlyBackup, { taskQueue: temporal.taskQueue, workflowId: `bench-backup-${Date.now()}`, args: [{}] }));
  const [backup] = await new BackupRepository(join(dir, 'repo')).list(TARGET);
  if (backup?.verify?.status !== 'passed') throw new Error(`the backup did not pass verify: ${backup?.verify?.reasons.join('; ') ?? 'none made'}`);
  const artifact = join(backup.dir, backup.manifest.artifact);

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

  const bareRestores = subject.bareRestores(backup.manifest.bytes);
  const bare = async (kind: BareRestore, name: string) => {
    const seconds = await timed(() => kind.run(name, artifact));
    await subject.drop(name);
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
    await subject.drop(name);
    return seconds;
  };

  log(`warm-up: one bare restore of each kind, one ops restore (not counted); ops runs ${subject.opsRuns(backup.manifest.bytes)}`);
  for (const [i, kind] of bareRestores.entries()) await bare(kind, `bare_${i}_warmup`);
  await throughOps('ops_warmup');
  const bareSeconds: number[][] = bareRestores.map(() => []);
  const opsSeconds: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const [i, kind] of bareRestores.entries()) bareSeconds[i]!.push(await bare(kind, `bare_${i}_${round}`));
    opsSeconds.push(await throughOps(`ops_${round}`));
    log(`round ${round}/${rounds}: ${bareRestores.map((kind, i) => `${kind.label} ${bareSeconds[i]!.at(-1)!.toFixed(2)} s`).join(', ')}, ops ${opsSeconds.at(-1)!.toFixed(2)} s`);
  }
  const runs = (await new RestoreLog(join(dir, 'repo')).list([TARGET])).slice(1);
  const rtos = runs.map((e) => e.rtoSeconds ?? Number.NaN);
  const breakdown = await opsBreakdown(runs.map((r) => r.workflowId), cliSpans.slice(1));

  await teardown.run(log);
  const bareMedians = bareSeconds.map(median);
  const opsMedian = median(opsSeconds);
  const compared = bareRestores.length - 1;
  console.log(
    [
      `${subject.describe}, dump ${(backup.manifest.bytes / 2 ** 20).toFixed(1)} MB; ${availableParallelism()} CPUs, load ${loadAtStart.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
      `rounds ${rounds} after a warm-up; seconds per round: ${bareRestores.map((kind, i) => `${kind.label} ${bareSeconds[i]!.map((x) => x.toFixed(2)).join(' ')}`).join('; ')}; ops ${opsSeconds.map((x) => x.toFixed(2)).join(' ')}`,
      `ops seconds, medians of the rounds: ${breakdown}`,
      ...bareRestores.map((kind, i) => `${kind.key}_seconds=${bareMedians[i]!.toFixed(2)}   (${kind.label}, median)`),
      `ops_restore_seconds=${opsMedian.toFixed(2)}   (ops restore --latest --into X --wait with ${subject.opsRuns(backup.manifest.bytes)}: CLI, workflow, checksum, restore, checks, rename, report; median)`,
      `ops_rto_seconds=${median(rtos).toFixed(2)}   (the runs' recorded RTO, start to checked; median)`,
      ...(compared > 0 ? [`restore_overhead_ratio_vs_single_job=${(opsMedian / bareMedians[0]!).toFixed(3)}   (ops ÷ ${bareRestores[0]!.label})`] : []),
      `restore_overhead_ratio=${(opsMedian / bareMedians[compared]!).toFixed(3)}   (ops ÷ ${bareRestores[compared]!.label})`,
    ].join('\n'),
  );
} catch (err) {
  reportBenchFailure(err);
} finally {
  await teardown.run(log);
}
