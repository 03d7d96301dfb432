import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../src/activities/databases/mysql-client.js';
import { connectPostgres } from '../../src/activities/databases/postgres-client.js';
import { createMysqlDatabase, createPostgresDatabase } from '../../src/activities/verify/create-database.js';
import type { RestoreServer } from '../../src/activities/verify/restore-outcome.js';
import { Secret } from '../../src/config/secret.js';
import { isDatabase, type DatabaseTarget } from '../../src/config/target.js';
import { PreconditionFailed } from '../../src/core/errors.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { databasesNamed, dropRestoredDatabases } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';

/** A restore's CREATE DATABASE is its refusal point: a user without the right is refused, nothing created (a taken name: restore-backup.test.ts). */
describe('creating the database a restore fills, on the real servers', () => {
  let fixture: BackupFixture;
  const target = (kind: 'postgres' | 'mysql') => fixture.config.targets.find((t): t is DatabaseTarget => isDatabase(t) && t.kind === kind)!;
  const server = (t: DatabaseTarget, database = ''): RestoreServer => ({ url: { ...t.url, database }, password: t.password });
  const where = (t: DatabaseTarget) => `${t.kind}://${t.url.user}@${t.url.host}:${t.url.port}/`;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
  });
  afterAll(async () => {
    if (fixture) for (const engine of ['postgres', 'mysql'] as const) await dropRestoredDatabases(engine, fixture.id);
    await fixture?.cleanup();
  });

  it('PostgreSQL: a read-only target user is refused naming the user and server', async () => {
    const reader = target('postgres');
    const name = `${fixture.pgDatabase}_restored_denied`;
    const client = await connectPostgres(reader.url, reader.password, 'postgres');
    try {
      const denied = await createPostgresDatabase(client, server(reader, 'postgres'), name).catch((err: unknown) => err);
      expect(denied).toBeInstanceOf(PreconditionFailed);
      expect((denied as Error).message).toBe(`user ${reader.url.user} may not create database ${name} on ${where(reader)}: permission denied to create database`);
    } finally {
      await client.end();
    }
    expect(await databasesNamed('postgres', name)).toEqual([]);
  });

  it('MariaDB: a read-only target user is refused naming the user and server', async () => {
    const reader = target('mysql');
    const name = `${fixture.myDatabase}_restored_denied`;
    const connection = await connectMysql(reader.url, reader.password, undefined);
    try {
      const denied = await createMysqlDatabase(connection, server(reader), name).catch((err: unknown) => err);
      expect(denied).toBeInstanceOf(PreconditionFailed);
      expect((denied as Error).message).toMatch(new RegExp(`^user ${reader.url.user} may not create database ${name} on ${where(reader).replace(/[/.]/g, '\\$&')}: Access denied for user '${reader.url.user}'@'[^']+' to database '${name}'$`));
    } finally {
      await connection.end();
    }
    expect(await databasesNamed('mysql', name)).toEqual([]);
  });

  it('MariaDB: a backup whose database default this server does not know (MySQL 8\'s utf8mb4_0900_ai_ci) is refused naming it and the server', async () => {
    const { mariadb } = testServers();
    const name = `${fixture.myDatabase}_restored_collation`;
    const admin: RestoreServer = { url: { engine: 'mysql', host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, database: '' }, password: new Secret(mariadb.adminPassword, 'test') };
    const connection = await connectMysql(admin.url, admin.password, undefined);
    try {
      const refused = await createMysqlDatabase(connection, admin, name, { characterSet: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(PreconditionFailed);
      expect((refused as Error).message).toBe(`mysql://${mariadb.adminUser}@${mariadb.host}:${mariadb.port}/ does not know the backup's database default (character set utf8mb4, collation utf8mb4_0900_ai_ci): Unknown collation: 'utf8mb4_0900_ai_ci'; nothing was created`);
    } finally {
      await connection.end();
    }
    expect(await databasesNamed('mysql', name)).toEqual([]);
  });
});
