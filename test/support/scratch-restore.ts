import { availableParallelism } from 'node:os';
import pg from 'pg';
import { restoreJobs } from '../../src/core/restore-jobs.js';
import { processesRunning, type LiveProcess } from './processes.js';
import { databasesNamed } from './restored-databases.js';
import { testServers } from './servers.js';

/** How many pg_restore jobs a restore of a large dump on disk runs on this host (what restorePostgres passes). */
export const RESTORE_JOBS = restoreJobs(availableParallelism(), Number.MAX_SAFE_INTEGER);

/**
 * The pg_restore processes restoring into a `scratchPrefix`* database: its leader and, with more
 * than one job, the workers it forks once the definitions are in (same command line, the leader their parent).
 */
export async function restoreProcesses(scratchPrefix: string): Promise<LiveProcess[]> {
  return processesRunning('pg_restore', `--dbname=${scratchPrefix}`);
}

/** Whether the restore runs with all its processes: the leader and every job it forked. */
export async function allJobsLoading(scratchPrefix: string): Promise<boolean> {
  return (await restoreProcesses(scratchPrefix)).length === (RESTORE_JOBS > 1 ? RESTORE_JOBS + 1 : 1);
}

/** The restore's leader among its processes: the one whose parent is not another of them (a worker started it). */
export function restoreLeaders(processes: LiveProcess[]): LiveProcess[] {
  return processes.filter((p) => !processes.some((q) => q.pid === p.ppid));
}

/**
 * Ends the session ops counts restored rows in (application_name `ops`, in a `scratchPrefix`*
 * database) with pg_terminate_backend, if there is one; whether there was.
 */
export async function endCountingSession(scratchPrefix: string): Promise<boolean> {
  const { postgres } = testServers();
  const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
  await admin.connect();
  try {
    const ended = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE $1 AND application_name = 'ops'`, [`${scratchPrefix}%`]);
    return (ended.rowCount ?? 0) > 0;
  } finally {
    await admin.end();
  }
}

/** An open transaction in the scratch database holding ACCESS EXCLUSIVE on each of `tables` it could lock within 200 ms. */
export async function holdScratchTables(scratchPrefix: string, tables: string[]): Promise<pg.Client> {
  const [scratch] = await databasesNamed('postgres', scratchPrefix);
  if (!scratch) throw new Error(`no scratch database ${scratchPrefix}* to hold`);
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: scratch });
  client.on('error', () => undefined);
  await client.connect();
  await client.query("SET lock_timeout = '200ms'");
  await client.query('BEGIN');
  for (const table of tables) {
    await client.query('SAVEPOINT try_lock');
    await client.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`).then(
      () => client.query('RELEASE SAVEPOINT try_lock'),
      () => client.query('ROLLBACK TO SAVEPOINT try_lock'),
    );
  }
  return client;
}
