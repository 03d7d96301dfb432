import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import pg from 'pg';
import { stringify } from 'yaml';
import { countPostgresRows } from '../src/activities/databases/postgres-client.js';
import { streamCommandsToFile } from '../src/activities/process/stream-to-file.js';
import { pgDump, pgRestore } from '../src/commands/postgres.js';
import { describeAddress, type DatabaseAddress } from '../src/config/database-url.js';
import { Secret } from '../src/config/secret.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { nightlyBackup } from '../src/workflows/nightly-backup.js';
import { createBenchDatabase } from './bench-database.js';
import { procStatusBytes, RssSampler } from './rss-sampler.js';
import { Teardown } from './teardown.js';

const log = (line: string) => console.error(`[probe] ${line}`);
const out = (line: string) => console.log(line);
const teardown = new Teardown();
teardown.runOnExitPaths(log);
const MB = 2 ** 20;
const t = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
  const s = performance.now();
  const v = await step();
  out(`${label}: ${((performance.now() - s) / 1000).toFixed(2)} s (load ${loadavg()[0]!.toFixed(2)})`);
  return v;
};

async function connect(address: DatabaseAddress, password: string, database = address.database) {
  const c = new pg.Client({ host: address.host, port: address.port, user: address.user, password, database });
  await c.connect();
  return c;
}

try {
  const root = await mkdtemp(join(tmpdir(), 'ops-probe-'));
  teardown.defer('rm', () => rm(root, { recursive: true, force: true }));
  await chmod(root, 0o755);
  const db = await createBenchDatabase(root, Number(process.env.PROBE_MB ?? 1024) * MB, teardown, log);
  const reader = new Secret(db.readerPassword, 'r');
  const admin = new Secret(db.server.adminPassword, 'a');
  const file = join(root, 'probe.pgc');

  for (let i = 0; i < 2; i++) {
    // E1: the dump's row counting alone, in a REPEATABLE READ snapshot like dumpPostgres.
    const c = await connect(db.reader, db.readerPassword);
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await t('E1 countPostgresRows on source', () => countPostgresRows(c));
    await c.query('COMMIT');
    await c.end();
    // E1b: pg_dump > file (fd) alone.
    await t('E1b pg_dump > file', async () => {
      const h = await open(file, 'w');
      try { await execa('pg_dump', pgDump(db.reader, reader).args, { env: pgDump(db.reader, reader).env!, stdout: h.fd as never, buffer: false }); } finally { await h.close(); }
    });
    await rm(file);
    // E1c: pg_dump through streamCommandsToFile (hash in node + fsync), no counting.
    await t('E1c pg_dump via streamCommandsToFile', () => streamCommandsToFile([pgDump(db.reader, reader)], file));
    await rm(file);
    // E1d: as the activity: snapshot + streamCommandsToFile + concurrent counts.
    await t('E1d dumpPostgres-like (stream + concurrent counts)', async () => {
      const s = await connect(db.reader, db.readerPassword);
      await s.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshot = (await s.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
      await Promise.all([streamCommandsToFile([pgDump(db.reader, reader, { snapshot })], file), countPostgresRows(s)]);
      await s.query('COMMIT');
      await s.end();
    });
    // E2: restore, then count rows twice (first scan sets hint bits on every freshly loaded tuple).
    const scratch = `probe_${i}`;
    const a = await connect(db.admin, db.server.adminPassword);
    await a.query(`CREATE DATABASE ${scratch}`);
    await t('E2 pg_restore', () => execa('pg_restore', pgRestore(db.admin, admin, { database: scratch, file }).args, { env: pgRestore(db.admin, admin, { database: scratch, file }).env! }));
    const r = await connect(db.admin, db.server.adminPassword, scratch);
    await t('E2 countPostgresRows on restored copy, 1st', () => countPostgresRows(r));
    await t('E2 countPostgresRows on restored copy, 2nd', () => countPostgresRows(r));
    await r.end();
    await t('E2 DROP DATABASE WITH (FORCE)', () => a.query(`DROP DATABASE ${scratch} WITH (FORCE)`));
    await a.end();
    await rm(file);
  }

  // E3: worker RSS, bundling in-process (bin/ops.js worker) versus a prebuilt bundle.
  const dev = await startDevServer({ headless: true });
  teardown.defer('dev', () => dev.stop());
  const connection = await Connection.connect({ address: dev.address });
  teardown.defer('conn', () => connection.close());
  const client = new Client({ connection });
  const dir = join(root, 'ops');
  await mkdir(dir);
  const configFile = join(dir, 'ops.config.yaml');
  await writeFile(configFile, stringify({
    stateDir: './state', repository: './repo', reports: './reports',
    databases: [{ name: 'bench', url: describeAddress(db.reader), password: '${R}' }],
    backup: { verify: { postgres: { url: describeAddress(db.admin), password: '${A}' } } },
  }));
  const bundleFile = join(root, 'workflow-bundle.js');
  await t('E3 bundle workflows in a separate process', () => execa(process.execPath, ['--import', 'tsx', 'bench/_bundle.ts', bundleFile], { cwd: resolve(import.meta.dirname, '..') }));
  const variants: Record<string, string[]> = {
    'bin/ops.js worker (bundles in-process)': ['bin/ops.js', '--config', configFile, 'worker', '--no-metrics'],
    'prebuilt bundle (workflowBundle.codePath)': ['--import', 'tsx', 'bench/_prebuilt-worker.ts', configFile, bundleFile],
  };
  for (const [name, argv] of Object.entries(variants)) {
    const taskQueue = `probe-${randomBytes(3).toString('hex')}`;
    const child = execa(process.execPath, argv, {
      cwd: resolve(import.meta.dirname, '..'), buffer: false, reject: false, stdin: 'ignore',
      env: { ...process.env, TEMPORAL_ADDRESS: dev.address, OPS_TASK_QUEUE: taskQueue, R: db.readerPassword, A: db.server.adminPassword },
    });
    teardown.defer(`kill ${name}`, async () => { child.kill('SIGKILL'); await child; });
    const sampler = new RssSampler(child.pid!);
    const startup = sampler.open();
    await new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('worker polling')) ok(); }));
    const s = startup.close();
    await sleep(3000);
    const idle = procStatusBytes(child.pid!, 'VmRSS');
    const w = sampler.open();
    const started = performance.now();
    await client.workflow.execute(nightlyBackup, { taskQueue, workflowId: `probe-${randomBytes(3).toString('hex')}`, args: [{}] });
    const run = w.close();
    out(`E3 ${name}: start-up peak ${(s.processBytes / MB).toFixed(0)} MB, idle 3 s after ready ${(idle / MB).toFixed(0)} MB, ` +
      `peak during backup ${(run.processBytes / MB).toFixed(0)} MB, VmHWM ${(procStatusBytes(child.pid!, 'VmHWM') / MB).toFixed(0)} MB, backup ${((performance.now() - started) / 1000).toFixed(1)} s`);
    sampler.stop();
    child.kill('SIGTERM');
    await child;
    await rm(join(dir, 'repo'), { recursive: true, force: true });
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await teardown.run(log);
}
