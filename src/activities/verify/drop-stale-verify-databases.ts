import type { OpsConfig } from '../../config/load-config.js';
import { connectMysql } from '../databases/mysql-client.js';
import { connectPostgres } from '../databases/postgres-client.js';
import { dropAbandonedMysqlScratch } from './mysql-scratch.js';
import { dropAbandonedPostgresScratch } from './postgres-scratch.js';

/**
 * A worker killed mid-verify cannot drop its scratch database. Each worker, when it starts, drops
 * the verify_* databases whose owner is gone: no live verify holds their lock (see
 * claimPostgresScratch), or they are older than backup.verify.dropStaleAfterHours. A verify still
 * running on another worker holds its lock, so its database stays.
 */
export async function dropStaleVerifyDatabases(config: OpsConfig, now = new Date()): Promise<string[]> {
  const rule = { now, staleAfterHours: config.backup.verify.dropStaleAfterHours };
  const dropped: string[] = [];
  const pgServer = config.backup.verify.postgres;
  if (pgServer) {
    const admin = await connectPostgres(pgServer.url, pgServer.password, pgServer.url.database || 'postgres');
    try {
      dropped.push(...(await dropAbandonedPostgresScratch(admin, rule)).map((name) => `postgres:${name}`));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const myServer = config.backup.verify.mysql;
  if (myServer) {
    const admin = await connectMysql(myServer.url, myServer.password, undefined);
    try {
      dropped.push(...(await dropAbandonedMysqlScratch(admin, rule)).map((name) => `mysql:${name}`));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  return dropped;
}
