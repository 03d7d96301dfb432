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
export async function dataLoaders(scratchPrefix: string): Promise<LiveProcess[]> {
  return processesRunning('pg_restore', `--dbname=${scratchPrefix}`);
}

/** Whether the restore runs with all its processes: the leader and every job it forked. */
export async function allJobsLoading(scratchPrefix: string): Promise<boolean> {
  return (await dataLoaders(scratchPrefix)).length === (RESTORE_JOBS > 1 ? RESTORE_JOBS + 1 : 1);
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
