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

/** Every user table with its exact row count, read in the client's current transaction. */
export async function countPostgresRows(client: pg.Client): Promise<TableCount[]> {
  const tables = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY 1, 2`,
  );
  const counts: TableCount[] = [];
  for (const { schema, name } of tables.rows) {
    const ident = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
    const result = await client.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${ident}`);
    counts.push({ table: `${schema}.${name}`, rows: Number(result.rows[0]!.rows) });
  }
  return counts;
}
