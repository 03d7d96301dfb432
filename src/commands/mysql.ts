import type { DatabaseAddress } from '../config/database-url.js';
import type { Secret } from '../config/secret.js';
import type { Command } from './command.js';

/**
 * Dumps one database as SQL to stdout. `binary` is mariadb-dump or mysqldump, whichever the
 * caller found. --single-transaction gives a consistent InnoDB dump without locking tables.
 */
export function mysqlDump(binary: string, address: DatabaseAddress, password: Secret | undefined): Command {
  return {
    file: binary,
    args: [
      '--single-transaction',
      '--routines',
      '--triggers',
      '--events',
      '--hex-blob',
      '--default-character-set=utf8mb4',
      ...serverArgs(address),
      '--',
      address.database,
    ],
    ...passwordEnv(password),
  };
}

/**
 * mysqldump names the dumped database in the `ALTER DATABASE \`shop\` CHARACTER SET …` lines it
 * writes around each routine, trigger and event made under another collation than the database's
 * (and back after it). Imported as is into another database, they would alter the source database
 * on that server, or fail where it does not exist. Without the name the statement applies to the
 * database the import runs in. A dump goes through this on its way to the repository; a restore of
 * a dump made before that, on its way in. Byte-wise (LC_ALL=C): the text is not always valid UTF-8.
 */
export function alterDatabaseInPlace(): Command {
  return { file: 'sed', args: ['-E', 's/^ALTER DATABASE `([^`]|``)*` CHARACTER SET /ALTER DATABASE CHARACTER SET /'], env: { LC_ALL: 'C' } };
}

/** Runs the SQL read from stdin against `database`. `binary` is the mariadb or mysql client. */
export function mysqlImport(binary: string, address: DatabaseAddress, password: Secret | undefined, database: string): Command {
  return {
    file: binary,
    args: [...serverArgs(address), '--default-character-set=utf8mb4', '--', database],
    ...passwordEnv(password),
  };
}

/** The client running the SQL read from stdin; rows come tab-separated, unescaped (--raw), without a header. */
export function mysqlScript(binary: string, address: DatabaseAddress, password: Secret | undefined): Command {
  return {
    file: binary,
    args: ['--batch', '--raw', '--skip-column-names', ...serverArgs(address), '--default-character-set=utf8mb4', '--', address.database],
    ...passwordEnv(password),
  };
}

export function mysqlToolVersion(binary: string): Command {
  return { file: binary, args: ['--version'] };
}

/** --protocol=TCP because the clients silently use the Unix socket when the host is `localhost`. */
function serverArgs(address: DatabaseAddress): string[] {
  return ['--protocol=TCP', `--host=${address.host}`, `--port=${address.port}`, `--user=${address.user}`];
}

/**
 * MYSQL_PWD is the documented variable the MySQL and MariaDB clients read a password from; it
 * keeps the password out of argv and ps. MySQL 8 documents it as deprecated; if it is ever
 * removed, the fallback is a 0600 --defaults-extra-file, written by the activity layer.
 */
function passwordEnv(password: Secret | undefined): { env?: Record<string, string> } {
  return password ? { env: { MYSQL_PWD: password.reveal() } } : {};
}
