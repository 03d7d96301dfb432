import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { keptDatabaseName } from '../../src/core/restore-pick.js';
import type { RestoreRecord } from '../../src/core/restore-report.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { progressQuery } from '../../src/workflows/progress.js';
import { approveUpdate, pendingApprovalQuery, restoreBackup, type RestoreBackupInput } from '../../src/workflows/restore-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { alterMysqlDefaults, databasesNamed, dropRestoredDatabases, mysqlDefaultsOf, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `--replace` on the real servers: the target's own database, changed since its backup, is
 * replaced by the backup once approved, and kept under <db>_before_restore_<stamp>; a reject or
 * no answer leaves it exactly as it was.
 */
const BACKUP_DEFAULTS = { characterSet: 'latin1', collation: 'latin1_german1_ci' };
const LATER_DEFAULTS = { characterSet: 'utf8mb4', collation: 'utf8mb4_bin' };

describe('restoreBackup --replace', () => {
  const restorerPassword = `restorer-${randomBytes(6).toString('hex')}`;
  let legacyModes: string[];
  let fixture: BackupFixture;
  let worker: TestWorker;
  let repository: BackupRepository;
  let stampCount = 0;

  beforeAll(async () => {
    fixture = await makeBackupFixture({
      offsite: 'none',
      env: { RESTORER_PASSWORD: restorerPassword },
      edit: (doc) => {
        targetsAsAdmin(doc);
        // A restoring user that owns the database it replaces, and is no superuser (made by the test that uses it).
        const { postgres } = testServers();
        const id = String(doc.databases[0].url).match(/\/app_(\w+)$/)![1];
        doc.restore = { servers: { restorer: { url: `postgres://restorer_${id}@${postgres.host}:${postgres.port}`, password: '${RESTORER_PASSWORD}' } } };
      },
    });
    worker = await startTestWorker(fixture.config);
    repository = new BackupRepository(fixture.config.repository);
    // Database defaults no CREATE DATABASE would pick by itself: the backup's, then others since it.
    await alterMysqlDefaults(fixture.myDatabase, BACKUP_DEFAULTS);
    await addLegacyModeObjects(fixture.myDatabase);
    legacyModes = await objectModes(fixture.myDatabase);
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres, fixture.targets.mysql] }] });
    // The "bad migration" after the backup: a table the backup does not have, and rows it does not have.
    await changeSince('postgres', fixture.pgDatabase);
    await changeSince('mysql', fixture.myDatabase);
    await alterMysqlDefaults(fixture.myDatabase, LATER_DEFAULTS);
  });
  afterAll(async () => {
    await worker?.stop();
    if (fixture) for (const engine of ['postgres', 'mysql'] as const) await dropRestoredDatabases(engine, fixture.id);
    await fixture?.cleanup();
  });

  const nextStamp = () => `20300201T0000${String(stampCount++).padStart(2, '0')}Z`;
  const start = (input: Omit<RestoreBackupInput, 'stamp'>) => {
    const stamp = nextStamp();
    const handle = worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ ...input, stamp }] });
    return { stamp, handle };
  };
  const scratchOf = (target: string) => `restore_${target.replace(/-/g, '_')}_`;

  it.each([
    ['postgres', 'pgDatabase'],
    ['mysql', 'myDatabase'],
  ] as const)('%s: rejected at the gate, and not answered in time: refused, nothing touched, no failure', async (engine, sourceKey) => {
    const target = fixture.targets[engine];
    const database = fixture[sourceKey];
    const before = await rowCounts(engine, database);
    const rejected = start({ target, pick: { latest: true }, replace: true });
    const run = await rejected.handle;
    await waitFor('the approval gate', async () => (await run.query(pendingApprovalQuery)) !== null, 60_000);
    expect(await run.query(pendingApprovalQuery)).toMatchObject({ stage: `replace ${database}`, timeoutMinutes: 30 });
    await run.executeUpdate(approveUpdate, { args: [{ approved: false, by: 'mallory', reason: 'wrong backup' }] });
    const refused: RestoreRecord = await run.result();
    expect(refused).toMatchObject({ status: 'refused', database, kept: false, approval: { approved: false, by: 'mallory' } });
    expect(refused.reasons).toEqual([`replace of ${database} refused: rejected by mallory: wrong backup; nothing was changed`]);
    expect((await run.query(progressQuery)).map((s) => [s.step, s.status])).toEqual([
      ['pick', 'done'],
      ['checksum', 'done'],
      ['approval', 'done'],
      ['restore and check', 'skipped'],
      ['report', 'done'],
    ]);
    expect(readFileSync(join(fixture.config.reports, `restore-${target}-${rejected.stamp}.md`), 'utf8')).toContain('- Replace: refused by mallory (wrong backup)');

    const silent = start({ target, pick: { latest: true }, replace: true, approvalTimeoutMinutes: 0.05 });
    const timedOut: RestoreRecord = await (await silent.handle).result();
    expect(timedOut).toMatchObject({ status: 'refused', approval: { approved: false, by: 'timeout' } });
    expect(timedOut.reasons).toEqual([`replace of ${database} refused: no answer within 0.05 min; nothing was changed`]);

    expect(await rowCounts(engine, database)).toEqual(before);
    expect(await databasesNamed(engine, keptDatabaseName(database, rejected.stamp))).toEqual([]);
    expect(await databasesNamed(engine, keptDatabaseName(database, silent.stamp))).toEqual([]);
    expect(await databasesNamed(engine, scratchOf(target))).toEqual([]);
  });

  it('an existing empty database needs no --replace and no gate: the checked copy takes its name, the empty one is kept', async () => {
    const target = fixture.targets.postgres;
    const [backup] = await repository.list(target);
    const empty = `${fixture.pgDatabase}_empty`;
    await adminQuery(`CREATE DATABASE ${empty}`);
    try {
      const { stamp, handle } = start({ target, pick: { latest: true }, into: empty });
      const run = await handle;
      const record: RestoreRecord = await run.result();
      expect(record).toMatchObject({ status: 'passed', database: empty, replaces: true, replaced: { keptAs: keptDatabaseName(empty, stamp) } });
      expect(record.approval).toBeUndefined();
      expect((await run.query(progressQuery)).find((s) => s.step === 'approval')?.status).toBe('skipped');
      expect(await rowCounts('postgres', empty)).toEqual(backup!.manifest.tables);
      expect(await rowCounts('postgres', keptDatabaseName(empty, stamp))).toEqual([]);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
    }
  });

  it('postgres: the restored copy takes over the replaced database\'s owner, grants, connection limit and settings', async () => {
    const target = fixture.targets.postgres;
    const [backup] = await repository.list(target);
    const database = `${fixture.pgDatabase}_props`;
    const [owner, reader] = [`props_owner_${fixture.id}`, `props_reader_${fixture.id}`];
    await adminQuery(`CREATE ROLE ${owner}; CREATE ROLE ${reader}`);
    await adminQuery(`CREATE DATABASE ${database} OWNER ${owner}`);
    try {
      await adminQuery(
        [
          `REVOKE CONNECT, TEMPORARY ON DATABASE ${database} FROM PUBLIC`,
          `GRANT CONNECT ON DATABASE ${database} TO ${reader}`,
          `GRANT CREATE ON DATABASE ${database} TO ${reader} WITH GRANT OPTION`,
          `ALTER DATABASE ${database} CONNECTION LIMIT 7`,
          `ALTER DATABASE ${database} SET statement_timeout = '123s'`,
          `ALTER DATABASE ${database} SET search_path = "$user", public, "Odd Schema"`,
          `ALTER ROLE ${reader} IN DATABASE ${database} SET work_mem = '8MB'`,
        ].join('; '),
      );
      await adminQuery('CREATE TABLE app_data (id int); INSERT INTO app_data VALUES (1)', database);
      const before = await databaseProperties(database);
      expect(before.acl).toContain(`${reader}=C*c/`);

      const { stamp, handle } = start({ target, pick: { latest: true }, into: database, replace: true, yes: { by: 'ci-bot' } });
      const record: RestoreRecord = await (await handle).result();
      expect(record).toMatchObject({ status: 'passed', database, replaced: { keptAs: keptDatabaseName(database, stamp) } });
      expect(await rowCounts('postgres', database)).toEqual(backup!.manifest.tables);
      expect(await databaseProperties(database)).toEqual(before);
      expect(await databaseProperties(keptDatabaseName(database, stamp))).toEqual(before);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      for (const name of await databasesNamed('postgres', `${database}_before_restore_`)) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminQuery(`DROP ROLE IF EXISTS ${owner}; DROP ROLE IF EXISTS ${reader}`);
    }
  });

  it('postgres: a restoring user that may not give the copy those settings refuses the swap, naming the owner; the old database stays as it was, open, nothing kept', async () => {
    const target = fixture.targets.postgres;
    const database = `${fixture.pgDatabase}_owned`;
    const [restorer, other] = [`restorer_${fixture.id}`, `other_${fixture.id}`];
    await adminQuery(`CREATE ROLE ${restorer} LOGIN CREATEDB PASSWORD '${restorerPassword}'; CREATE ROLE ${other}`);
    await adminQuery(`CREATE DATABASE ${database} OWNER ${restorer}`);
    try {
      // Its owner may change the database, but not another role's settings in it: only a superuser (or that role's admin) may.
      await adminQuery(`ALTER ROLE ${other} IN DATABASE ${database} SET work_mem = '8MB'`);
      await adminQuery('CREATE TABLE app_data (id int); INSERT INTO app_data VALUES (1), (2)', database);
      const before = await databaseProperties(database);
      const rowsBefore = await rowCounts('postgres', database);

      const { stamp, handle } = start({ target, pick: { latest: true }, into: database, replace: true, yes: { by: 'ci-bot' }, server: 'restorer' });
      const error = await (await handle).result().then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
      const { postgres } = testServers();
      expect(failure.type).toBe('PreconditionFailed');
      expect(failure.message).toMatch(new RegExp(`: user ${restorer} may not give the restored copy the owner \\(${restorer}\\), grants and settings of database ${database} on postgres://${restorer}@${postgres.host}:${postgres.port}/: permission denied[^;]*; the restored copy was dropped, nothing else changed$`));

      expect(await rowCounts('postgres', database)).toEqual(rowsBefore);
      expect(await databaseProperties(database)).toEqual(before);
      expect(await allowsConnections(database)).toBe(true);
      expect(await databasesNamed('postgres', keptDatabaseName(database, stamp))).toEqual([]);
      expect(await databasesNamed('postgres', scratchOf(target))).toEqual([]);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await adminQuery(`DROP ROLE IF EXISTS ${restorer}; DROP ROLE IF EXISTS ${other}`);
    }
  });

  it('a cancel while the replace waits at its gate ends the run cancelled and touches nothing', async () => {
    const target = fixture.targets.postgres;
    const before = await rowCounts('postgres', fixture.pgDatabase);
    const { stamp, handle } = start({ target, pick: { latest: true }, replace: true });
    const run = await handle;
    await waitFor('the approval gate', async () => (await run.query(pendingApprovalQuery)) !== null, 60_000);
    await run.cancel();
    await expect(run.result()).rejects.toThrow();
    expect((await run.describe()).status.name).toBe('CANCELLED');
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(before);
    expect(await databasesNamed('postgres', keptDatabaseName(fixture.pgDatabase, stamp))).toEqual([]);
    expect(await databasesNamed('postgres', scratchOf(target))).toEqual([]);
  });

  it.each([
    ['postgres', 'pgDatabase'],
    ['mysql', 'myDatabase'],
  ] as const)('%s: --yes swaps: the database has the backup’s rows, the old one is kept with its rows, its sessions were ended', async (engine, sourceKey) => {
    const target = fixture.targets[engine];
    const database = fixture[sourceKey];
    const [backup] = await repository.list(target);
    const before = await rowCounts(engine, database);
    expect(before).not.toEqual(backup!.manifest.tables);
    const session = await openSession(engine, database);

    const { stamp, handle } = start({ target, pick: { latest: true }, replace: true, yes: { by: 'ci-bot' } });
    const record: RestoreRecord = await (await handle).result();

    const keptAs = keptDatabaseName(database, stamp);
    expect(record).toMatchObject({ status: 'passed', database, kept: true, replaced: { keptAs }, approval: { approved: true, by: 'ci-bot', reason: '--yes' }, reasons: [] });
    expect(await rowCounts(engine, database)).toEqual(backup!.manifest.tables);
    expect(await rowCounts(engine, keptAs)).toEqual(before);
    expect(await databasesNamed(engine, scratchOf(target))).toEqual([]);
    expect(await session.alive()).toBe(false);
    if (engine === 'mysql') {
      // RENAME TABLE cannot carry them: they were re-created on both sides of the swap.
      expect(await mysqlObjects(database)).toEqual(await mysqlObjects(keptAs));
      expect(await mysqlObjects(database)).toEqual({ views: 1, triggers: 2, routines: 2, events: 2 });
      // Each re-created under the sql_mode (and an event's time zone) it was made under, not the restoring session's.
      expect(legacyModes).toContainEqual('trigger legacy_touch: ALLOW_INVALID_DATES');
      expect(await objectModes(database)).toEqual(legacyModes);
      expect(await objectModes(keptAs)).toEqual(legacyModes);
      // The database holds the backup's tables and takes its defaults; the kept one, the old database's.
      expect(backup!.manifest.databaseDefaults).toEqual(BACKUP_DEFAULTS);
      expect(await mysqlDefaultsOf(database)).toEqual(BACKUP_DEFAULTS);
      expect(await mysqlDefaultsOf(keptAs)).toEqual(LATER_DEFAULTS);
    }
    const report = readFileSync(record.report!, 'utf8');
    expect(report).toContain(`- Into: existing database \`${database}\` on `);
    expect(report).toContain('- Replace: approved by ci-bot (--yes)');
    expect(report).toContain(`- Replaced: the old database is kept as \`${keptAs}\` until you drop it`);
  });
});

async function adminQuery(sql: string, database = 'postgres'): Promise<void> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function allowsConnections(database: string): Promise<boolean> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
  await client.connect();
  const { rows } = await client.query('SELECT datallowconn FROM pg_database WHERE datname = $1', [database]).finally(() => client.end());
  return rows[0].datallowconn as boolean;
}

/** A PostgreSQL database's owner, grants, connection limit and settings, as the catalog holds them. */
async function databaseProperties(database: string): Promise<{ owner: string; acl: string | null; limit: number; settings: string[] }> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
  await client.connect();
  try {
    const [row] = (await client.query('SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl, datconnlimit AS limit FROM pg_database WHERE datname = $1', [database])).rows;
    const settings = await client.query(
      `SELECT coalesce(pg_get_userbyid(nullif(s.setrole, 0)), '*') || ': ' || array_to_string(s.setconfig, ' | ') AS line
         FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = $1 ORDER BY 1`,
      [database],
    );
    return { owner: row.owner, acl: row.acl, limit: row.limit, settings: settings.rows.map((r) => r.line as string) };
  } finally {
    await client.end();
  }
}

/** Adds a table and a row the backup does not have. */
async function changeSince(engine: 'postgres' | 'mysql', database: string): Promise<void> {
  const { postgres, mariadb } = testServers();
  if (engine === 'postgres') {
    const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
    await client.connect();
    await client.query('CREATE TABLE migration_mistake (id int PRIMARY KEY); INSERT INTO migration_mistake VALUES (1), (2)').finally(() => client.end());
    return;
  }
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, database, multipleStatements: true });
  await connection.query('CREATE TABLE migration_mistake (id int PRIMARY KEY); INSERT INTO migration_mistake VALUES (1), (2)').finally(() => connection.end());
}

/** An application's open session on the database; alive() asks it whether it still works. */
async function openSession(engine: 'postgres' | 'mysql', database: string): Promise<{ alive(): Promise<boolean> }> {
  const { postgres, mariadb } = testServers();
  if (engine === 'postgres') {
    const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
    client.on('error', () => undefined);
    await client.connect();
    return { alive: () => client.query('SELECT 1').then(() => true, () => false).finally(() => client.end().catch(() => undefined)) };
  }
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, database });
  connection.on('error', () => undefined);
  return { alive: () => connection.query('SELECT 1').then(() => true, () => false).finally(() => connection.destroy()) };
}

/** A routine, a trigger and an event made under a lenient sql_mode and another time zone than the server's. */
async function addLegacyModeObjects(database: string): Promise<void> {
  const { mariadb } = testServers();
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword, database });
  try {
    await connection.query("SET SESSION sql_mode = 'ALLOW_INVALID_DATES', SESSION time_zone = '+05:00'");
    await connection.query('CREATE PROCEDURE legacy_mode() SELECT 1');
    await connection.query('CREATE TRIGGER legacy_touch BEFORE UPDATE ON orders FOR EACH ROW SET NEW.total_cents = NEW.total_cents');
    await connection.query('CREATE EVENT legacy_event ON SCHEDULE EVERY 1 DAY STARTS \'2030-01-01 03:00:00\' DISABLE DO SELECT 1');
  } finally {
    await connection.end();
  }
}

/** Each routine's, trigger's and event's sql_mode (and an event's time zone), as the server stores them. */
async function objectModes(database: string): Promise<string[]> {
  const { mariadb } = testServers();
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
  try {
    const lines = async (sql: string) => (await connection.query<mysql.RowDataPacket[]>(sql, [database]))[0].map((r) => String(r.line));
    return [
      ...(await lines("SELECT CONCAT('routine ', ROUTINE_NAME, ': ', SQL_MODE) AS line FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1")),
      ...(await lines("SELECT CONCAT('trigger ', TRIGGER_NAME, ': ', SQL_MODE) AS line FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1")),
      ...(await lines("SELECT CONCAT('event ', EVENT_NAME, ': ', SQL_MODE, ' at ', TIME_ZONE, ', starts ', STARTS) AS line FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1")),
    ];
  } finally {
    await connection.end();
  }
}

/** How many views, triggers, routines and events a MariaDB database has. */
async function mysqlObjects(database: string): Promise<Record<string, number>> {
  const { mariadb } = testServers();
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
  try {
    const count = async (table: string, column: string) => {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.${table} WHERE ${column} = ?`, [database]);
      return Number(rows[0]!.n);
    };
    return { views: await count('VIEWS', 'TABLE_SCHEMA'), triggers: await count('TRIGGERS', 'TRIGGER_SCHEMA'), routines: await count('ROUTINES', 'ROUTINE_SCHEMA'), events: await count('EVENTS', 'EVENT_SCHEMA') };
  } finally {
    await connection.end();
  }
}
