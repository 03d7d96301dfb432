import mysql from 'mysql2/promise';
import type pg from 'pg';
import { describeAddress } from '../../config/database-url.js';
import type { MysqlDatabaseDefaults } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import type { RestoreServer } from './restore-outcome.js';

/**
 * CREATE DATABASE is the race-free test that the name is free: an existing database (or a user
 * not allowed to create one) is refused as a PreconditionFailed before anything was changed, and
 * the caller, having created nothing, drops nothing.
 */
export async function createPostgresDatabase(admin: pg.Client, server: RestoreServer, database: string): Promise<void> {
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } catch (err) {
    throw refusal(err, server, database, { exists: ['42P04'], denied: ['42501'] });
  }
}

export async function createMysqlDatabase(admin: mysql.Connection, server: RestoreServer, database: string, defaults?: MysqlDatabaseDefaults): Promise<void> {
  try {
    await admin.query(`CREATE DATABASE ${mysql.escapeId(database)} ${mysqlDatabaseOptions(defaults)}`);
  } catch (err) {
    const code = (err as { code?: unknown } | undefined)?.code;
    // A backup of a newer server (MySQL 8's utf8mb4_0900_ai_ci) restored onto an older one or MariaDB: its tables would fail the same way.
    if (defaults && (code === 'ER_UNKNOWN_COLLATION' || code === 'ER_UNKNOWN_CHARACTER_SET')) {
      throw new PreconditionFailed(`${describeAddress({ ...server.url, database: '' })} does not know the backup's database default (character set ${defaults.characterSet}, collation ${defaults.collation}): ${(err as Error).message}; nothing was created`);
    }
    throw refusal(err, server, database, { exists: ['ER_DB_CREATE_EXISTS'], denied: ['ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR'] });
  }
}

function refusal(err: unknown, server: RestoreServer, database: string, codes: { exists: string[]; denied: string[] }): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  const where = describeAddress({ ...server.url, database: '' });
  if (typeof code !== 'string') return err;
  if (codes.exists.includes(code)) return new PreconditionFailed(`database ${database} already exists on ${where}: a restore only creates a new database`);
  if (codes.denied.includes(code)) return new PreconditionFailed(`user ${server.url.user} may not create database ${database} on ${where}: ${(err as Error).message}`);
  return err;
}

/**
 * The CREATE (or ALTER) DATABASE options that give a database the dumped one's default character
 * set and collation, so tables created in it later get what they got at the source; utf8mb4 with
 * the server's collation for it when the manifest predates recording them. The names come from a
 * manifest file, so they are checked to be names before they reach SQL.
 */
export function mysqlDatabaseOptions(defaults: MysqlDatabaseDefaults | undefined): string {
  if (!defaults) return 'CHARACTER SET utf8mb4';
  for (const name of [defaults.characterSet, defaults.collation]) {
    if (!/^\w+$/.test(name)) throw new Error(`the manifest's database default ${JSON.stringify(name)} is not a character set or collation name`);
  }
  return `CHARACTER SET ${defaults.characterSet} COLLATE ${defaults.collation}`;
}

/** A database's own default character set and collation, as the server holds them. */
export async function mysqlDatabaseDefaults(admin: mysql.Connection, database: string): Promise<MysqlDatabaseDefaults | undefined> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT DEFAULT_CHARACTER_SET_NAME AS characterSet, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
  return rows[0] ? { characterSet: String(rows[0].characterSet), collation: String(rows[0].collation) } : undefined;
}
