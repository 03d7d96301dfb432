import { reportBenchFailure } from './bench-failure.js';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBarePipeline } from './bare-pipeline.js';
import { createBenchDatabase } from './bench-database.js';
import { renderReport, type BenchRun } from './bench-report.js';
import { Teardown } from './teardown.js';
import { startWorkflowRig } from './workflow-rig.js';
import { positiveInteger } from './bench-args.js';

/**
 * Backup throughput of ops' nightlyBackup workflow against the bare pg_dump / sha256sum /
 * pg_restore pipeline a user would script, on the same throwaway PostgreSQL and database.
 * Usage: BENCH_DB_MB=1024 tsx bench/backup-bench.ts [--size-mb N] [--repeat N]
 */
const { values } = parseArgs({ options: { 'size-mb': { type: 'string' }, repeat: { type: 'string', default: '1' } } });
const sizeMb = positiveInteger('--size-mb / BENCH_DB_MB', values['size-mb'] ?? process.env.BENCH_DB_MB ?? '1024');
const repeat = positiveInteger('--repeat', values.repeat!);

const log = (line: string) => console.error(`[bench] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);

const loadAtStart = loadavg()[0]!;

try {
  const root = await mkdtemp(join(tmpdir(), 'ops-bench-'));
  teardown.defer('remove temp dir', () => rm(root, { recursive: true, force: true }));
  // PostgreSQL runs as the postgres OS user, which must reach its data dir below root.
  await chmod(root, 0o755);

  log(`filling a ${sizeMb} MB database under ${root}`);
  const db = await createBenchDatabase(root, sizeMb * 2 ** 20, teardown, log);
  const rig = await startWorkflowRig(root, db, teardown, log);

  const runs: BenchRun[] = [];
  for (let round = 1; round <= repeat; round++) {
    log(`run ${round}/${repeat}: bare pipeline`);
    const idleCpu = rig.cpuSeconds();
    const bare = await runBarePipeline(db, root, round);
    log(`run ${round}/${repeat}: bare ${bare.total.toFixed(2)} s (idle worker + Temporal used ${(rig.cpuSeconds() - idleCpu).toFixed(2)} s CPU meanwhile); nightlyBackup workflow`);
    const workflow = await rig.run();
    log(`run ${round}/${repeat}: workflow ${workflow.total.toFixed(2)} s`);
    runs.push({ bare, workflow });
  }
  const highWaterBytes = rig.workerHighWaterBytes();

  await teardown.run(log);
  const lines = renderReport({
    serverVersion: db.serverVersion,
    sizeBytes: db.sizeBytes,
    rows: db.rows,
    runs,
    startupSeconds: rig.startupSeconds,
    startupRss: rig.startupRss,
    highWaterBytes,
    load: { cpus: availableParallelism(), start: loadAtStart, end: loadavg()[0]! },
  });
  console.log(lines.join('\n'));
} catch (err) {
  reportBenchFailure(err);
} finally {
  await teardown.run(log);
}
