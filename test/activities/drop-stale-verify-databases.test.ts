import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimMysqlScratch } from '../../src/activities/verify/mysql-scratch.js';
import { claimPostgresScratch } from '../../src/activities/verify/postgres-scratch.js';
import { verifyDatabaseName } from '../../src/core/backup-id.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { testServers } from '../support/servers.js';
import { startTestWorker } from '../support/test-worker.js';
import { leftoverVerifyDatabases } from '../support/verify-databases.js';

/**
 * A worker that died mid-verify leaves its scratch database behind, maybe with an orphaned tool
 * still connected to it; the next worker start drops it. A verify running on another worker
 * holds its database's lock, and its database stays.
 */
describe('worker start on the real servers', () => {
  let fixture: BackupFixture;
  const now = new Date();
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('drops the verify_* databases no live verify holds, terminating their sessions, on PostgreSQL and MariaDB; keeps held ones and other roles’', async () => {
    const { postgres, mariadb } = testServers();
    // Target names carry the fixture id, so the names do, and leftoverVerifyDatabases finds them.
    const deadFresh = verifyDatabaseName(`dead-${fixture.id}`, hoursAgo(0.1));
    const deadOld = verifyDatabaseName(`old-${fixture.id}`, hoursAgo(7));
    const held = verifyDatabaseName(`live-${fixture.id}`, hoursAgo(1));
    // Another installation's, on the same PostgreSQL server under its own role: not this one's to judge.
    const foreign = verifyDatabaseName(`other-${fixture.id}`, hoursAgo(0.1));
    const otherRole = `other_ops_${fixture.id}`;
    const pgLogin = { host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword };
    const myLogin = { host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword };

    const pgAdmin = new pg.Client({ ...pgLogin, database: 'postgres' });
    const myAdmin = await mysql.createConnection(myLogin);
    // The live verify: its own admin connections hold the locks, as restorePostgres and restoreMysql do.
    const pgOwner = new pg.Client({ ...pgLogin, database: 'postgres' });
    const myOwner = await mysql.createConnection(myLogin);
    const orphans: Array<{ end(): Promise<unknown> }> = [];
    await pgAdmin.connect();
    await pgOwner.connect();
    try {
      await claimPostgresScratch(pgOwner, held);
      await claimMysqlScratch(myOwner, held);
      for (const name of [deadFresh, deadOld]) {
        await pgAdmin.query(`CREATE DATABASE ${pgAdmin.escapeIdentifier(name)}`);
        await myAdmin.query(`CREATE DATABASE ${mysql.escapeId(name)}`);
      }
      await pgAdmin.query(`CREATE ROLE ${otherRole}`);
      await pgAdmin.query(`CREATE DATABASE ${pgAdmin.escapeIdentifier(foreign)} OWNER ${otherRole}`);
      // What an orphaned pg_restore or mariadb import would be: a session still in the dead attempt's database.
      const pgOrphan = new pg.Client({ ...pgLogin, database: deadFresh });
      pgOrphan.on('error', () => undefined);
      await pgOrphan.connect();
      const myOrphan = await mysql.createConnection({ ...myLogin, database: deadFresh });
      myOrphan.on('error', () => undefined);
      orphans.push(pgOrphan, myOrphan);

      const worker = await startTestWorker(fixture.config);
      await worker.stop();

      expect((await leftoverVerifyDatabases(fixture.id)).sort()).toEqual([`mysql:${held}`, `postgres:${foreign}`, `postgres:${held}`].sort());
      await expect(pgOrphan.query('SELECT 1')).rejects.toThrow();
      await expect(myOrphan.query('SELECT 1')).rejects.toThrow();
    } finally {
      for (const orphan of orphans) await orphan.end().catch(() => undefined);
      await pgOwner.end();
      await myOwner.end();
      for (const name of [held, deadFresh, deadOld, foreign]) {
        await pgAdmin.query(`DROP DATABASE IF EXISTS ${pgAdmin.escapeIdentifier(name)} WITH (FORCE)`);
        await myAdmin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
      }
      await pgAdmin.query(`DROP ROLE IF EXISTS ${otherRole}`);
      await pgAdmin.end();
      await myAdmin.end();
    }
  });
});
