import pg from 'pg';
import { describeAddress, type DatabaseAddress } from '../../config/database-url.js';
import type { Secret } from '../../config/secret.js';
import type { TableCount } from '../../core/backup-record.js';
import { classifyConnectionError } from './connection-errors.js';

/** Opens a connection, turning failures into a named, classified error. The caller ends it. */
export async function connectPostgres(address: DatabaseAddress, password: Secret | undefined, database = address.database): Promise<pg.Client> {
  const client = new pg.Client({
    host: address.host,
    port: address.port,
    user: address.user,
    database,
    application_name: 'ops',
    connectionTimeoutMillis: 10_000,
    ...(password ? { password: password.reveal() } : {}),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw classifyConnectionError(err, describeAddress({ ...address, database }));
  }
  return client;
}

/** The tables (plain and partitioned) outside the system schemas. */
const USER_TABLES = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;

/**
 * Every user table with its exact row count, read in the client's current transaction; a table
 * in `counted` (by its schema.name) keeps the count taken there.
 */
export async function countPostgresRows(client: pg.Client, counted: ReadonlyMap<string, number> = new Map()): Promise<TableCount[]> {
  const tables = await client.query<{ schema: string; name: string }>(`SELECT n.nspname AS schema, c.relname AS name ${USER_TABLES} ORDER BY 1, 2`);
  const counts: TableCount[] = [];
  for (const { schema, name } of tables.rows) {
    const table = `${schema}.${name}`;
    counts.push({ table, rows: counted.get(table) ?? (await countRows(client, schema, name)) });
  }
  return counts;
}

/**
 * The row count of the user table named `name`, when exactly one table in any schema has that
 * name and no other table inherits from it (its count would include their rows); else undefined.
 */
export async function countTableNamed(client: pg.Client, name: string): Promise<TableCount | undefined> {
  const found = await client.query<{ schema: string; inherited: boolean }>(
    `SELECT n.nspname AS schema, c.relhassubclass AS inherited ${USER_TABLES} AND c.relname = $1`,
    [name],
  );
  const [only] = found.rows;
  if (found.rows.length !== 1 || only!.inherited) return undefined;
  return { table: `${only!.schema}.${name}`, rows: await countRows(client, only!.schema, name) };
}

async function countRows(client: pg.Client, schema: string, name: string): Promise<number> {
  const result = await client.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`);
  return Number(result.rows[0]!.rows);
}
