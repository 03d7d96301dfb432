import mysql from 'mysql2/promise';
import type { MysqlGap } from '../../core/privilege-gaps.js';

export interface MysqlAccess {
  /** the connected account as GRANT spells it, e.g. 'ops_reader'@'%' */
  account: string;
  gaps: MysqlGap[];
}

/**
 * What mysqldump --single-transaction --routines --triggers --events, run as this connection's
 * account, would fail on or silently leave out. Where the server refuses a statement the dump
 * runs (SHOW EVENTS, SHOW CREATE VIEW), the statement is tried and the refusal's error code read.
 * Tables and triggers the account has no privilege on are not refused but hidden, and mysqldump
 * skips them without a word, so for those the account's database-wide grants are read instead.
 */
export async function mysqlPrivilegeGaps(connection: mysql.Connection, database: string): Promise<MysqlAccess> {
  const [[who]] = await connection.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS account');
  const account = grantee(String(who!.account));
  const quotedDb = mysql.escapeId(database);
  const held = await databaseWidePrivileges(connection, account, database);
  const gaps: MysqlGap[] = [];

  const [tables] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  const qualified = (name: unknown) => `${quotedDb}.${mysql.escapeId(String(name))}`;
  const unreadable: string[] = [];
  const unshowable: string[] = [];
  for (const { name, type } of tables) {
    if (type === 'VIEW') {
      if (await refused(connection, `SHOW CREATE VIEW ${qualified(name)}`, 'ER_TABLEACCESS_DENIED_ERROR')) unshowable.push(qualified(name));
    } else if (await refused(connection, `SELECT 1 FROM ${qualified(name)} LIMIT 0`, 'ER_TABLEACCESS_DENIED_ERROR')) {
      unreadable.push(qualified(name));
    }
  }
  if (unreadable.length > 0 || (held && !held.has('SELECT'))) gaps.push({ engine: 'mysql', privilege: 'SELECT', database: quotedDb, objects: unreadable });
  if (unshowable.length > 0) gaps.push({ engine: 'mysql', privilege: 'SHOW VIEW', database: quotedDb, objects: unshowable });
  if (held && !held.has('TRIGGER')) gaps.push({ engine: 'mysql', privilege: 'TRIGGER', database: quotedDb, objects: [] });
  if (await refused(connection, `SHOW EVENTS FROM ${quotedDb}`, 'ER_DBACCESS_DENIED_ERROR')) {
    gaps.push({ engine: 'mysql', privilege: 'EVENT', database: quotedDb, objects: [] });
  }
  return { account, gaps };
}

/**
 * Privileges the account holds on every object of the database: granted on *.* or on a pattern
 * matching it (grants treat _ and % as wildcards). Grants through a role do not show in these
 * tables, so with a role enabled they cannot be told, and undefined says so: better no verdict
 * than failing a backup that would pass.
 */
async function databaseWidePrivileges(connection: mysql.Connection, account: string, database: string): Promise<Set<string> | undefined> {
  if (await hasEnabledRoles(connection)) return undefined;
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
     UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? AND ? LIKE TABLE_SCHEMA`,
    [account, account, database],
  );
  return new Set(rows.map((row) => String(row.privilege)));
}

/** MariaDB answers with one NULL row when no role is enabled. */
async function hasEnabledRoles(connection: mysql.Connection): Promise<boolean> {
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.ENABLED_ROLES WHERE ROLE_NAME IS NOT NULL');
    return Number(rows[0]!.n) > 0;
  } catch (err) {
    // MySQL before 8.0.19 has no such table, and no roles either.
    if ((err as { code?: unknown }).code === 'ER_UNKNOWN_TABLE') return false;
    throw err;
  }
}

/** Whether the server refuses the statement with this privilege error; any other error is not ours to hide. */
async function refused(connection: mysql.Connection, sql: string, code: string): Promise<boolean> {
  try {
    await connection.query(sql);
    return false;
  } catch (err) {
    if ((err as { code?: unknown }).code === code) return true;
    throw err;
  }
}

/** CURRENT_USER() says ops_reader@%; GRANT and information_schema say 'ops_reader'@'%'. */
function grantee(currentUser: string): string {
  const at = currentUser.lastIndexOf('@');
  return `${mysql.escape(currentUser.slice(0, at))}@${mysql.escape(currentUser.slice(at + 1))}`;
}
