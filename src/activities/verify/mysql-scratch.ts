import mysql from 'mysql2/promise';
import type { ScratchPrefix } from '../../core/backup-id.js';
import type { MysqlDatabaseDefaults } from '../../core/backup-record.js';
import { TransientFailure } from '../../core/errors.js';
import type { SweepRule } from '../../core/scratch-sweep.js';
import { createMysqlDatabase, mysqlDatabaseOptions } from './create-database.js';
import { sweepAbandoned } from './sweep-abandoned.js';
import type { RestoreServer } from './restore-outcome.js';

/**
 * The MySQL/MariaDB side of scratch ownership (see claimPostgresScratch): a named lock,
 * GET_LOCK(name), held by the verify's admin connection from before the database exists until
 * after it is dropped. The server releases it when that connection dies with its worker.
 */
export async function claimMysqlScratch(admin: mysql.Connection, name: string, server?: RestoreServer, defaults?: MysqlDatabaseDefaults): Promise<void> {
  if (!(await tryLock(admin, name))) throw new TransientFailure(`scratch database ${name} is held by another verify`);
  // With the server known, a user not allowed to create databases is refused naming both.
  if (server) await createMysqlDatabase(admin, server, name, defaults);
  else await admin.query(`CREATE DATABASE ${mysql.escapeId(name)} ${mysqlDatabaseOptions(defaults)}`);
}

/**
 * MySQL has no DROP ... FORCE: the connections still using the database (an orphaned import,
 * a dead worker's session) are killed first, or the drop would wait on their metadata locks.
 */
export async function dropMysqlScratch(admin: mysql.Connection, name: string): Promise<void> {
  const [users] = await admin.query<mysql.RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name]);
  for (const { ID } of users) {
    await admin.query(`KILL CONNECTION ${Number(ID)}`).catch((err: { errno?: number }) => {
      // ER_NO_SUCH_THREAD: it ended on its own meanwhile.
      if (err.errno !== 1094) throw err;
    });
  }
  await admin.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
}

/** Drops every `prefix`* database (verify_* by default) no live owner holds (see sweepDecision). Run on a connection that holds no scratch lock itself. */
export async function dropAbandonedMysqlScratch(admin: mysql.Connection, rule: SweepRule, prefix: ScratchPrefix = 'verify_'): Promise<string[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE ?', [`${prefix.replace('_', '\\_')}%`]);
  const names = rows.map((r) => String(Object.values(r)[0])).sort();
  return sweepAbandoned(names, {
    tryLock: (name) => tryLock(admin, name),
    unlock: async (name) => void (await admin.query('SELECT RELEASE_LOCK(?)', [name])),
    drop: (name) => dropMysqlScratch(admin, name),
  }, rule);
}

/** GET_LOCK with no wait: 1 when taken, 0 when another session holds it. */
async function tryLock(admin: mysql.Connection, name: string): Promise<boolean> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS locked', [name]);
  return Number(rows[0]!.locked) === 1;
}
