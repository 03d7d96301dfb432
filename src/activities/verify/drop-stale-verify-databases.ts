import mysql from 'mysql2/promise';
import type { OpsConfig } from '../../config/load-config.js';
import { verifyDatabaseAge } from '../../core/backup-id.js';
import { connectMysql } from '../databases/mysql-client.js';
import { connectPostgres } from '../databases/postgres-client.js';

/**
 * A worker killed mid-verify cannot drop its scratch database. Each worker, when it starts,
 * drops verify_* databases older than backup.verify.dropStaleAfterHours (younger ones may belong
 * to a verify still running on another worker).
 */
export async function dropStaleVerifyDatabases(config: OpsConfig, now = new Date()): Promise<string[]> {
  const maxAgeMs = config.backup.verify.dropStaleAfterHours * 3600_000;
  const isStale = (name: string) => {
    const age = verifyDatabaseAge(name, now);
    return age !== undefined && age > maxAgeMs;
  };
  const dropped: string[] = [];
  const pgServer = config.backup.verify.postgres;
  if (pgServer) {
    const admin = await connectPostgres(pgServer.url, pgServer.password, pgServer.url.database || 'postgres');
    try {
      const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%'");
      for (const { datname } of rows.filter((r) => isStale(r.datname))) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
        dropped.push(`postgres:${datname}`);
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const myServer = config.backup.verify.mysql;
  if (myServer) {
    const admin = await connectMysql(myServer.url, myServer.password, undefined);
    try {
      const [rows] = await admin.query<mysql.RowDataPacket[]>("SHOW DATABASES LIKE 'verify\\_%'");
      for (const name of rows.map((r) => String(Object.values(r)[0])).filter(isStale)) {
        await admin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
        dropped.push(`mysql:${name}`);
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  return dropped;
}
