import type { MysqlDatabaseDefaults, TableCount } from '../../core/backup-record.js';

/** Every base table's exact row count: the client has no loop, so one UNION ALL built from information_schema, prepared. */
const COUNTS = [
  'SET SESSION group_concat_max_len = 16777216;',
  `SELECT GROUP_CONCAT(CONCAT('SELECT JSON_ARRAY(''count'', ', QUOTE(TABLE_NAME), ', COUNT(*)) FROM \`',
            REPLACE(TABLE_SCHEMA, '\`', '\`\`'), '\`.\`', REPLACE(TABLE_NAME, '\`', '\`\`'), '\`')
          ORDER BY TABLE_NAME SEPARATOR ' UNION ALL ')
  INTO @ops_counts FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE';`,
  "SET @ops_counts = COALESCE(@ops_counts, 'SELECT 1 FROM DUAL WHERE FALSE');",
  'PREPARE ops_counts FROM @ops_counts;',
  'EXECUTE ops_counts;',
];

/**
 * The script the mariadb (or mysql) client runs inside the service before the dump: in one
 * consistent-snapshot transaction, the server version, the database's default character set and
 * collation and, for a dump, the row counts (a check
 * ahead of the night leaves them out: they read every row). Each row is one JSON array (--raw
 * leaves it unescaped), so no name can break the parsing.
 */
export const mysqlServiceScript = (options: { counts: boolean }) => [
  'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;',
  'START TRANSACTION WITH CONSISTENT SNAPSHOT;',
  "SELECT JSON_ARRAY('server', VERSION());",
  "SELECT JSON_ARRAY('defaults', @@character_set_database, @@collation_database);",
  ...(options.counts ? COUNTS : []),
  'COMMIT;',
  '',
].join('\n');

export function parseMysqlServiceOutput(output: string): { serverVersion: string; databaseDefaults?: MysqlDatabaseDefaults; tables: TableCount[] } {
  let serverVersion: string | undefined;
  let databaseDefaults: MysqlDatabaseDefaults | undefined;
  const tables: TableCount[] = [];
  for (const line of output.split('\n').filter(Boolean)) {
    const row = JSON.parse(line) as [string, ...unknown[]];
    if (row[0] === 'server') serverVersion = String(row[1]);
    else if (row[0] === 'defaults') databaseDefaults = { characterSet: String(row[1]), collation: String(row[2]) };
    else if (row[0] === 'count') tables.push({ table: String(row[1]), rows: Number(row[2]) });
  }
  if (serverVersion === undefined) throw new Error(`the mysql client printed no server version: ${output.slice(0, 200)}`);
  return { serverVersion, ...(databaseDefaults && { databaseDefaults }), tables };
}

/** Prints the dump tool's name, then the client's: the MariaDB image has only the mariadb-* names from 11.0, the MySQL image only mysql*. */
export const MYSQL_TOOLS_PROBE = 'for t in mariadb-dump mysqldump; do command -v "$t" >/dev/null && { echo "$t"; break; }; done; for t in mariadb mysql; do command -v "$t" >/dev/null && { echo "$t"; break; }; done';
