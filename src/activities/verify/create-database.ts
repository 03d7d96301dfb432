import mysql from 'mysql2/promise';
import type pg from 'pg';
import { describeAddress } from '../../config/database-url.js';
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

export async function createMysqlDatabase(admin: mysql.Connection, server: RestoreServer, database: string): Promise<void> {
  try {
    await admin.query(`CREATE DATABASE ${mysql.escapeId(database)} CHARACTER SET utf8mb4`);
  } catch (err) {
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
