import type { DatabaseAddress } from '../config/database-url.js';
import type { Secret } from '../config/secret.js';
import { PG_RESTORE_PROGRESS } from '../core/pg-restore-progress.js';
import type { Command } from './command.js';

export type PgTool = 'pg_dump' | 'pg_restore';

/** pg_dump in custom format to stdout. `snapshot` dumps as of a snapshot exported by another session. */
export function pgDump(address: DatabaseAddress, password: Secret | undefined, options: { snapshot?: string } = {}): Command {
  return {
    file: 'pg_dump',
    args: [
      '--format=custom',
      '--no-password',
      ...serverArgs(address),
      `--dbname=${plainDatabaseName(address.database)}`,
      ...(options.snapshot ? [`--snapshot=${options.snapshot}`] : []),
    ],
    env: libpqEnv('ops-backup', password),
  };
}

/**
 * Restores a custom-format dump into `database` on the address's server. Ownership and grants are
 * skipped because the restoring role need not match the source's roles. `verbose` reports each
 * step on stderr (see core/pg-restore-progress.ts), in the C locale so its wording is fixed.
 */
export function pgRestore(address: DatabaseAddress, password: Secret | undefined, options: { database: string; file: string | undefined; jobs?: number; verbose?: boolean }): Command {
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs >= 1)) {
    throw new Error(`pg_restore jobs must be a positive integer, got ${options.jobs}`);
  }
  return {
    file: 'pg_restore',
    args: [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--no-password',
      ...serverArgs(address),
      `--dbname=${plainDatabaseName(options.database)}`,
      ...(options.jobs !== undefined ? [`--jobs=${options.jobs}`] : []),
      ...(options.verbose ? ['--verbose'] : []),
      // No file: the dump comes on stdin (decrypted by age on its way in).
      ...(options.file !== undefined ? ['--', options.file] : []),
    ],
    env: { ...libpqEnv('ops-restore', password), ...(options.verbose ? { LC_MESSAGES: 'C' } : {}) },
    ...(options.verbose ? { progressLine: PG_RESTORE_PROGRESS } : {}),
  };
}

/**
 * psql running the SQL read from stdin in one session: no psqlrc, stop at the first error (exit 3),
 * and only the rows, one unaligned line each. For a database psql alone can reach (compose exec).
 */
export function psqlScript(address: DatabaseAddress, password: Secret | undefined): Command {
  return {
    file: 'psql',
    args: ['--no-psqlrc', '--quiet', '--no-align', '--tuples-only', '--set=ON_ERROR_STOP=1', '--no-password', ...serverArgs(address), `--dbname=${plainDatabaseName(address.database)}`],
    env: libpqEnv('ops-backup', password),
  };
}

export function pgToolVersion(tool: PgTool): Command {
  return { file: tool, args: ['--version'] };
}

function serverArgs(address: DatabaseAddress): string[] {
  return [`--host=${address.host}`, `--port=${address.port}`, `--username=${address.user}`];
}

/**
 * libpq reads these from the environment. The password goes only there, so it never shows in
 * argv or ps. PGCONNECT_TIMEOUT makes an unreachable server fail in 10 s rather than after the
 * kernel's TCP timeout (minutes), leaving the retry decision to Temporal. PGAPPNAME names the
 * session in pg_stat_activity, so a DBA can tell who holds the snapshot or the locks.
 */
function libpqEnv(applicationName: string, password: Secret | undefined): Record<string, string> {
  return {
    PGCONNECT_TIMEOUT: '10',
    PGAPPNAME: applicationName,
    ...(password ? { PGPASSWORD: password.reveal() } : {}),
  };
}

/** libpq treats a --dbname containing `=` or a URI prefix as a connection string that can change the host or user. */
function plainDatabaseName(name: string): string {
  if (name.includes('=') || /^postgres(ql)?:\/\//.test(name)) {
    throw new Error(`database name "${name}" would be read as a connection string`);
  }
  return name;
}
