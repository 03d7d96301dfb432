import mysql from 'mysql2/promise';
import { connectMysql } from '../databases/mysql-client.js';
import { connectPostgres } from '../databases/postgres-client.js';
import type { RestoreServer } from '../verify/restore-outcome.js';

/** Whether a restore's final name is taken, and by how many tables: an empty database holds nothing to lose. */
export type DestinationState = { exists: false } | { exists: true; tables: number };

export async function postgresDestinationState(server: RestoreServer, database: string): Promise<DestinationState> {
  const admin = await connectPostgres(server.url, server.password, server.url.database || 'postgres');
  try {
    const { rows } = await admin.query<{ allowed: boolean }>('SELECT datallowconn AS allowed FROM pg_database WHERE datname = $1', [database]);
    if (rows.length === 0) return { exists: false };
    // A database closed to connections cannot be looked into: count it as holding something.
    if (!rows[0]!.allowed) return { exists: true, tables: 1 };
  } finally {
    await admin.end().catch(() => undefined);
  }
  const client = await connectPostgres(server.url, server.password, database);
  try {
    const { rows } = await client.query<{ tables: string }>(
      `SELECT count(*) AS tables FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
    );
    return { exists: true, tables: Number(rows[0]!.tables) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function mysqlDestinationState(server: RestoreServer, database: string): Promise<DestinationState> {
  const admin = await connectMysql(server.url, server.password, undefined);
  try {
    const [schemas] = await admin.query<mysql.RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    if (schemas.length === 0) return { exists: false };
    const [rows] = await admin.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS tables FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [database]);
    return { exists: true, tables: Number(rows[0]!.tables) };
  } finally {
    await admin.end().catch(() => undefined);
  }
}
