import type pg from 'pg';
import { describeAddress } from '../../config/database-url.js';
import { PreconditionFailed } from '../../core/errors.js';
import { applyPostgresDatabaseProperties, readPostgresDatabaseProperties, type PostgresDatabaseProperties } from './postgres-database-properties.js';
import type { Promotion, RestoreServer } from './restore-outcome.js';

/** The restored copy could not be given the replaced database's owner, grants or settings. */
class PropertiesNotCarried extends Error {
  constructor(
    cause: unknown,
    readonly properties: PostgresDatabaseProperties,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/**
 * Gives a checked scratch database its final name. RENAME fails if the name was taken since the
 * restore began (checked again here, not assumed). With `replace`, the old database is first
 * closed to new connections and its sessions ended, then the copy takes the old database's owner,
 * grants and settings (see postgres-database-properties) and both renames commit in one transaction:
 * another session sees the old database or the new one under the name, never neither. Any
 * failure before the commit leaves the old database as it was, open again.
 */
export async function promotePostgres(admin: pg.Client, server: RestoreServer, scratch: string, promotion: Promotion): Promise<void> {
  const id = (name: string) => admin.escapeIdentifier(name);
  const { database, replace } = promotion;
  try {
    if (!replace) {
      await admin.query(`ALTER DATABASE ${id(scratch)} RENAME TO ${id(database)}`);
      return;
    }
    const properties = await readPostgresDatabaseProperties(admin, database);
    await admin.query(`ALTER DATABASE ${id(database)} WITH ALLOW_CONNECTIONS false`);
    let swapped = false;
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      await admin.query('BEGIN');
      try {
        // In the swap's transaction: the copy is under the name only with the old one's owner, grants and settings.
        await applyPostgresDatabaseProperties(admin, scratch, properties).catch((err: unknown) => {
          throw new PropertiesNotCarried(err, properties);
        });
        await admin.query(`ALTER DATABASE ${id(database)} RENAME TO ${id(replace.keptAs)}`);
        await admin.query(`ALTER DATABASE ${id(scratch)} RENAME TO ${id(database)}`);
        await admin.query('COMMIT');
        swapped = true;
      } catch (err) {
        await admin.query('ROLLBACK');
        throw err;
      }
    } finally {
      // The kept database opens again too: the user drops it, or reads from it, when they choose.
      await admin.query(`ALTER DATABASE ${id(swapped ? replace.keptAs : database)} WITH ALLOW_CONNECTIONS true`);
    }
  } catch (err) {
    throw refusal(err, server, promotion);
  }
}

function refusal(err: unknown, server: RestoreServer, promotion: Promotion): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  const where = describeAddress({ ...server.url, database: '' });
  const { database, replace } = promotion;
  if (err instanceof PropertiesNotCarried) {
    return new PreconditionFailed(
      `user ${server.url.user} may not give the restored copy the owner (${err.properties.owner}), grants and settings of database ${database} on ${where}: ${err.message}; the restored copy was dropped, nothing else changed`,
    );
  }
  if (code === '42P04') return new PreconditionFailed(`${replace ? `database ${replace.keptAs}` : `database ${database}`} appeared on ${where} during the restore: the restored copy was dropped, nothing else changed`);
  if (code === '3D000') return new PreconditionFailed(`database ${database} disappeared from ${where} during the restore: the restored copy was dropped, nothing else changed`);
  if (code === '42501') return new PreconditionFailed(`user ${server.url.user} may not rename database ${database} on ${where}: ${(err as Error).message}`);
  if (code === '55006') return new PreconditionFailed(`database ${database} on ${where} is still in use: ${(err as Error).message}; nothing was changed`);
  return err;
}
