import mysql from 'mysql2/promise';
import { describeAddress, type DatabaseAddress } from '../../config/database-url.js';
import type { Secret } from '../../config/secret.js';
import type { TableCount } from '../../core/backup-record.js';
import { classifyConnectionError } from './connection-errors.js';

export async function connectMysql(address: DatabaseAddress, password: Secret | undefined, database: string | undefined = address.database): Promise<mysql.Connection> {
  try {
    return await mysql.createConnection({
      host: address.host,
      port: address.port,
      user: address.user,
      connectTimeout: 10_000,
      multipleStatements: false,
      ...(database ? { database } : {}),
      ...(password ? { password: password.reveal() } : {}),
    });
  } catch (err) {
    throw classifyConnectionError(err, describeAddress({ ...address, database: database ?? '' }));
  }
}

/** Every base table of the database with its exact row count, read in the connection's current transaction. */
export async function countMysqlRows(connection: mysql.Connection, database: string): Promise<TableCount[]> {
  const [tables] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
    [database],
  );
  const counts: TableCount[] = [];
  for (const { name } of tables) {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${mysql.escapeId(database)}.${mysql.escapeId(name as string)}`);
    counts.push({ table: name as string, rows: Number(rows[0]!.n) });
  }
  return counts;
}
