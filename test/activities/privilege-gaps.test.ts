import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlPrivilegeGaps } from '../../src/activities/databases/mysql-privileges.js';
import { postgresPrivilegeGaps } from '../../src/activities/databases/postgres-privileges.js';
import { testServers } from '../support/servers.js';

const id = randomBytes(3).toString('hex');

describe('postgresPrivilegeGaps on the real PostgreSQL', () => {
  const { postgres } = testServers();
  const database = `gaps_${id}`;
  const reader = `gaps_reader_${id}`;
  const owner = `gaps_owner_${id}`;
  let granted = '';
  let ungranted = '';
  const connect = async (user: string, password: string, db = database) => {
    const client = new pg.Client({ host: postgres.host, port: postgres.port, user, password, database: db });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    const admin = await connect(postgres.adminUser, postgres.adminPassword, 'postgres');
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE ROLE ${reader} LOGIN PASSWORD 'pw'`);
    await admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD 'pw'`);
    await admin.query(`GRANT pg_read_all_data TO ${reader}`);
    await admin.end();
    const db = await connect(postgres.adminUser, postgres.adminPassword);
    await db.query(`GRANT CREATE ON SCHEMA public TO ${owner}`);
    await db.query(`SET ROLE ${owner}`);
    await db.query(`CREATE TABLE public.plain (id int); CREATE TABLE public."Tenants" (id int); ALTER TABLE public."Tenants" ENABLE ROW LEVEL SECURITY`);
    granted = (await db.query<{ oid: string }>(`SELECT lo_from_bytea(0, 'a')::text AS oid`)).rows[0]!.oid;
    ungranted = (await db.query<{ oid: string }>(`SELECT lo_from_bytea(0, 'b')::text AS oid`)).rows[0]!.oid;
    await db.query(`GRANT SELECT ON LARGE OBJECT ${granted} TO ${reader}`);
    await db.end();
  });

  afterAll(async () => {
    const admin = await connect(postgres.adminUser, postgres.adminPassword, 'postgres');
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`DROP ROLE IF EXISTS ${reader}`);
    await admin.query(`DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
  });

  it('pg_read_all_data: the ungranted large object and the row-level security table, nothing else', async () => {
    const client = await connect(reader, 'pw');
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      expect(await postgresPrivilegeGaps(client)).toStrictEqual({
        role: reader,
        gaps: [
          { engine: 'postgres', kind: 'row security', objects: ['public."Tenants"'] },
          { engine: 'postgres', kind: 'large object', objects: [ungranted] },
        ],
      });
    } finally {
      await client.end();
    }
  });

  it('the owner of everything (without FORCE ROW LEVEL SECURITY): no gaps', async () => {
    const client = await connect(owner, 'pw');
    try {
      expect(await postgresPrivilegeGaps(client)).toStrictEqual({ role: owner, gaps: [] });
    } finally {
      await client.end();
    }
  });
});

describe('mysqlPrivilegeGaps on the real MariaDB', () => {
  const { mariadb } = testServers();
  const database = `gaps_${id}`;
  const narrow = `gaps_narrow_${id}`;
  const full = `gaps_full_${id}`;
  const viaRole = `gaps_role_user_${id}`;
  const role = `gaps_role_${id}`;
  const admin = () => mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, multipleStatements: true });
  const connectAs = (user: string) => mysql.createConnection({ host: mariadb.host, port: mariadb.port, user, password: 'pw', database });

  beforeAll(async () => {
    const connection = await admin();
    await connection.query(`
      CREATE DATABASE ${database};
      CREATE TABLE ${database}.orders (id int PRIMARY KEY);
      CREATE TABLE ${database}.hidden (id int PRIMARY KEY);
      CREATE VIEW ${database}.open_orders AS SELECT id FROM ${database}.orders;
      CREATE USER '${narrow}'@'%' IDENTIFIED BY 'pw';
      GRANT SELECT ON ${database}.orders TO '${narrow}'@'%';
      GRANT SELECT ON ${database}.open_orders TO '${narrow}'@'%';
      CREATE USER '${full}'@'%' IDENTIFIED BY 'pw';
      GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${database.replace(/_/g, '\\_')}\`.* TO '${full}'@'%';
      CREATE ROLE ${role};
      GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON ${database}.* TO ${role};
      CREATE USER '${viaRole}'@'%' IDENTIFIED BY 'pw';
      GRANT ${role} TO '${viaRole}'@'%';
      SET DEFAULT ROLE ${role} FOR '${viaRole}'@'%';`);
    await connection.end();
  });

  afterAll(async () => {
    const connection = await admin();
    await connection.query(`DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${narrow}'@'%'; DROP USER IF EXISTS '${full}'@'%'; DROP USER IF EXISTS '${viaRole}'@'%'; DROP ROLE IF EXISTS ${role}`);
    await connection.end();
  });

  it('grants table by table: SELECT on the whole database, SHOW VIEW, TRIGGER and EVENT are each named', async () => {
    const connection = await connectAs(narrow);
    try {
      const quoted = `\`${database}\``;
      expect(await mysqlPrivilegeGaps(connection, database)).toStrictEqual({
        account: `'${narrow}'@'%'`,
        gaps: [
          { engine: 'mysql', privilege: 'SELECT', database: quoted, objects: [] },
          { engine: 'mysql', privilege: 'SHOW VIEW', database: quoted, objects: [`${quoted}.\`open_orders\``] },
          { engine: 'mysql', privilege: 'TRIGGER', database: quoted, objects: [] },
          { engine: 'mysql', privilege: 'EVENT', database: quoted, objects: [] },
        ],
      });
    } finally {
      await connection.end();
    }
  });

  it('the database-wide grants mysqldump needs (an escaped name as a pattern): no gaps', async () => {
    const connection = await connectAs(full);
    try {
      expect(await mysqlPrivilegeGaps(connection, database)).toStrictEqual({ account: `'${full}'@'%'`, gaps: [] });
    } finally {
      await connection.end();
    }
  });

  it('grants through a default role, which information_schema does not show: no verdict on them, no false gap', async () => {
    const connection = await connectAs(viaRole);
    try {
      expect(await mysqlPrivilegeGaps(connection, database)).toStrictEqual({ account: `'${viaRole}'@'%'`, gaps: [] });
    } finally {
      await connection.end();
    }
  });
});
