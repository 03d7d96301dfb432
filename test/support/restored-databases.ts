import mysql from 'mysql2/promise';
import pg from 'pg';
import { countMysqlRows } from '../../src/activities/databases/mysql-client.js';
import { countPostgresRows } from '../../src/activities/databases/postgres-client.js';
import { mysqlDatabaseDefaults } from '../../src/activities/verify/create-database.js';
import type { MysqlDatabaseDefaults, TableCount } from '../../src/core/backup-record.js';
import { testServers } from './servers.js';

type Engine = 'postgres' | 'mysql';

async function withAdmin<T>(engine: Engine, database: string | undefined, body: (run: { pg?: pg.Client; my?: mysql.Connection }) => Promise<T>): Promise<T> {
  const { postgres, mariadb } = testServers();
  if (engine === 'postgres') {
    const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: database ?? 'postgres' });
    await client.connect();
    return body({ pg: client }).finally(() => client.end());
  }
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
  return body({ my: connection }).finally(() => connection.end());
}

/** Databases on the test server whose name contains `marker` (a fixture id: its database names carry it). */
export async function databasesNamed(engine: Engine, marker: string): Promise<string[]> {
  return withAdmin(engine, undefined, async ({ pg: client, my }) => {
    if (client) return (await client.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY 1')).rows.map((r) => r.datname).filter((n) => n.includes(marker));
    const [rows] = await my!.query<mysql.RowDataPacket[]>('SHOW DATABASES');
    return rows.map((r) => String(Object.values(r)[0])).filter((n) => n.includes(marker)).sort();
  });
}

/** Every table's exact row count in `database`, read as the admin with the same counting ops uses. */
export async function rowCounts(engine: Engine, database: string): Promise<TableCount[]> {
  return withAdmin(engine, database, async ({ pg: client, my }) => (client ? countPostgresRows(client) : countMysqlRows(my!, database)));
}

/** A MariaDB database's default character set and collation, as information_schema holds them. */
export async function mysqlDefaultsOf(database: string): Promise<MysqlDatabaseDefaults | undefined> {
  return withAdmin('mysql', undefined, ({ my }) => mysqlDatabaseDefaults(my!, database));
}

/** Gives a MariaDB database other defaults, e.g. ones no restore would pick by itself. */
export async function alterMysqlDefaults(database: string, defaults: MysqlDatabaseDefaults): Promise<void> {
  await withAdmin('mysql', undefined, ({ my }) => my!.query(`ALTER DATABASE ${mysql.escapeId(database)} CHARACTER SET ${defaults.characterSet} COLLATE ${defaults.collation}`));
}

/** Drops the databases a restore test created or kept (their names contain `_restored_` or `_before_restore_`). */
export async function dropRestoredDatabases(engine: Engine, marker: string): Promise<void> {
  const names = (await databasesNamed(engine, marker)).filter((n) => n.includes('_restored_') || n.includes('_before_restore_'));
  await withAdmin(engine, undefined, async ({ pg: client, my }) => {
    for (const name of names) {
      if (client) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      else await my!.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
    }
  });
}

/**
 * The fixture's database targets connect as the server's admin: a restore creates a database as
 * the target's own user, which the fixture's read-only reader may not.
 */
export function targetsAsAdmin(doc: Record<string, any>): void {
  const { postgres, mariadb } = testServers();
  for (const db of doc.databases as { url: string; password: string }[]) {
    const mysqlTarget = db.url.startsWith('mysql:');
    db.url = db.url.replace(/\/\/[^@]+@/, `//${mysqlTarget ? mariadb.adminUser : postgres.adminUser}@`);
    db.password = (mysqlTarget ? doc.backup.verify.mysql : doc.backup.verify.postgres).password;
  }
}
