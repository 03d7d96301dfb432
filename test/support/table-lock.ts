import pg from 'pg';
import { onTestFinished } from 'vitest';
import { testServers } from './servers.js';

/**
 * Holds an ACCESS EXCLUSIVE lock on a table of a fixture database until released or the test ends:
 * pg_dump (and the row count beside it) wait for it, so a dump runs exactly as long as the test wants.
 */
export async function holdTableLock(database: string, table: string): Promise<() => Promise<void>> {
  const { postgres } = testServers();
  const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await admin.connect();
  await admin.query('BEGIN');
  await admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await admin.query('ROLLBACK');
    await admin.end();
  };
  onTestFinished(release);
  return release;
}
