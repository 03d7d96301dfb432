import mysql from 'mysql2/promise';
import pg from 'pg';
import { testServers } from './servers.js';

/**
 * verify_* scratch databases still on the test servers whose name contains `marker` (a fixture id:
 * target names, and so verify database names, carry it). Verify must drop them in every outcome.
 */
export async function leftoverVerifyDatabases(marker: string): Promise<string[]> {
  const { postgres, mariadb } = testServers();
  const pgAdmin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
  await pgAdmin.connect();
  const pgNames = await pgAdmin
    .query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%'")
    .finally(() => pgAdmin.end());
  const myAdmin = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
  const [myRows] = await myAdmin.query<mysql.RowDataPacket[]>("SHOW DATABASES LIKE 'verify\\_%'").finally(() => myAdmin.end());
  return [
    ...pgNames.rows.map((r) => `postgres:${r.datname}`),
    ...myRows.map((r) => `mysql:${String(Object.values(r)[0])}`),
  ].filter((name) => name.includes(marker));
}
