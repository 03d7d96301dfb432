import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropStaleVerifyDatabases } from '../../src/activities/verify/drop-stale-verify-databases.js';
import { verifyDatabaseName } from '../../src/core/backup-id.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { testServers } from '../support/servers.js';

/** A worker that died mid-verify leaves its scratch database behind; the next worker start drops it. */
describe('dropStaleVerifyDatabases on the real servers', () => {
  let fixture: BackupFixture;
  const now = new Date();
  const stale = verifyDatabaseName(`old-${Date.now() % 100000}`, new Date(now.getTime() - 7 * 3600_000));
  const fresh = verifyDatabaseName(`new-${Date.now() % 100000}`, new Date(now.getTime() - 3600_000));

  beforeAll(async () => {
    fixture = await makeBackupFixture();
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });

  it('drops verify_* databases older than dropStaleAfterHours on PostgreSQL and MariaDB, and keeps younger ones', async () => {
    const { postgres, mariadb } = testServers();
    const pgAdmin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
    await pgAdmin.connect();
    const myAdmin = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
    try {
      for (const name of [stale, fresh]) {
        await pgAdmin.query(`CREATE DATABASE ${pgAdmin.escapeIdentifier(name)}`);
        await myAdmin.query(`CREATE DATABASE ${mysql.escapeId(name)}`);
      }

      const dropped = await dropStaleVerifyDatabases(fixture.config, now);

      expect(dropped).toEqual(expect.arrayContaining([`postgres:${stale}`, `mysql:${stale}`]));
      expect(dropped.some((d) => d.endsWith(fresh))).toBe(false);
      const pgNames = (await pgAdmin.query("SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%'")).rows.map((r) => r.datname);
      expect(pgNames).toContain(fresh);
      expect(pgNames).not.toContain(stale);
      const [myRows] = await myAdmin.query<mysql.RowDataPacket[]>("SHOW DATABASES LIKE 'verify\\_%'");
      const myNames = myRows.map((r) => String(Object.values(r)[0]));
      expect(myNames).toContain(fresh);
      expect(myNames).not.toContain(stale);
    } finally {
      await pgAdmin.query(`DROP DATABASE IF EXISTS ${pgAdmin.escapeIdentifier(fresh)}`);
      await myAdmin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(fresh)}`);
      await pgAdmin.end();
      await myAdmin.end();
    }
  });
});
