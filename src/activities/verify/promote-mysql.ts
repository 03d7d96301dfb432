import mysql from 'mysql2/promise';
import { describeAddress } from '../../config/database-url.js';
import type { MysqlDatabaseDefaults } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { mysqlDatabaseDefaults, mysqlDatabaseOptions } from './create-database.js';
import { createSchemaObjects, dropSchemaObjects, readSchemaObjects } from './mysql-schema-objects.js';
import type { Promotion, RestoreServer } from './restore-outcome.js';

/**
 * MySQL/MariaDB have no RENAME DATABASE: the final database is created (which fails if the name was
 * taken since the restore began) and the checked tables move into it by one RENAME TABLE statement,
 * which the server applies all or nothing. With `replace`, the old database's tables move to the
 * kept database in that same statement, after its sessions are ended. Views, triggers, routines
 * and events cannot ride along: they are dropped before the move and re-created right after it in
 * their new database (see mysql-schema-objects), so for that moment the tables stand without them.
 * The database the backup's tables land in gets the backup's default character set and collation
 * (`defaults`); a kept database, its old one's.
 */
export async function promoteMysql(admin: mysql.Connection, server: RestoreServer, scratch: string, promotion: Promotion, defaults: MysqlDatabaseDefaults | undefined): Promise<void> {
  const where = describeAddress({ ...server.url, database: '' });
  const { database, replace } = promotion;
  const created = replace ? replace.keptAs : database;
  const createdWith = replace ? await mysqlDatabaseDefaults(admin, database) : defaults;
  try {
    await admin.query(`CREATE DATABASE ${mysql.escapeId(created)} ${mysqlDatabaseOptions(createdWith)}`);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ER_DB_CREATE_EXISTS') throw new PreconditionFailed(`database ${created} appeared on ${where} during the restore: the restored copy was dropped, nothing else changed`);
    throw err;
  }
  const restored = await readSchemaObjects(admin, scratch);
  const moves = restored.tables.map((t) => `${qualified(scratch, t)} TO ${qualified(database, t)}`);
  const old = replace ? await readSchemaObjects(admin, database) : undefined;
  try {
    if (old && replace) {
      await endSessions(admin, database);
      moves.unshift(...old.tables.map((t) => `${qualified(database, t)} TO ${qualified(replace.keptAs, t)}`));
      await dropSchemaObjects(admin, database, old);
    }
    await dropSchemaObjects(admin, scratch, restored);
    if (moves.length > 0) await admin.query(`RENAME TABLE ${moves.join(', ')}`);
  } catch (err) {
    // RENAME TABLE is all or nothing: the old database has its tables; its other objects go back, and the database made for the move goes.
    if (old) await createSchemaObjects(admin, database, database, old).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(created)}`);
    throw err;
  }
  if (old && replace) await createSchemaObjects(admin, database, replace.keptAs, old);
  // The replaced database kept its name and so its defaults; it takes the backup's before its routines are made (they keep the collation they are made under).
  if (replace && defaults) await admin.query(`ALTER DATABASE ${mysql.escapeId(database)} ${mysqlDatabaseOptions(defaults)}`);
  await createSchemaObjects(admin, scratch, database, restored);
}

/** RENAME TABLE waits on the metadata locks of open sessions: the old database's are ended first. */
async function endSessions(admin: mysql.Connection, schema: string): Promise<void> {
  const [users] = await admin.query<mysql.RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [schema]);
  for (const { ID } of users) {
    await admin.query(`KILL CONNECTION ${Number(ID)}`).catch((err: { errno?: number }) => {
      // ER_NO_SUCH_THREAD: it ended on its own meanwhile.
      if (err.errno !== 1094) throw err;
    });
  }
}

function qualified(schema: string, table: string): string {
  return `${mysql.escapeId(schema)}.${mysql.escapeId(table)}`;
}
