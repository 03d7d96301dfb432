import type pg from 'pg';
import { pgRestore, type PgRestoreSection } from '../../commands/postgres.js';
import type { DatabaseAddress } from '../../config/database-url.js';
import type { Secret } from '../../config/secret.js';
import type { BackupManifest, TableCount } from '../../core/backup-record.js';
import { verifyDatabaseName } from '../../core/backup-id.js';
import { OpsError } from '../../core/errors.js';
import { assertionFailure, compareRowCounts, type AssertionSpec } from '../../core/verify-checks.js';
import { connectPostgres, countPostgresRows } from '../databases/postgres-client.js';
import { runCommand } from '../process/run-command.js';
import { claimPostgresScratch, dropAbandonedPostgresScratch, dropPostgresScratch } from './postgres-scratch.js';
import type { RestoreContext, RestoreOutcome } from './restore-outcome.js';

export interface VerifyServer {
  url: DatabaseAddress;
  password?: Secret | undefined;
}

/** The restore's own failure is a verify finding; the caller decides. The client is open on the restored database. */
type Restored = { ok: true; client: pg.Client; tables: TableCount[]; restoredAt: number } | { ok: false; failure: unknown };

/**
 * Restores section by section and counts every table's rows while the post-data section (indexes,
 * constraints, triggers) is built: all rows are in once the data section is, and post-data adds
 * none. Counting a freshly restored table reads all of it, so this overlap takes the count off the
 * restore's critical path on a machine where pg_restore keeps one core busy.
 */
async function restoreCounting(restore: (section: PgRestoreSection) => Promise<unknown>, connect: () => Promise<pg.Client>): Promise<Restored> {
  try {
    await restore('pre-data');
    await restore('data');
  } catch (failure) {
    return { ok: false, failure };
  }
  const client = await connect();
  const [built, counted] = await Promise.allSettled([restore('post-data').then(() => Date.now()), countPostgresRows(client)]);
  if (built.status === 'fulfilled' && counted.status === 'fulfilled') return { ok: true, client, tables: counted.value, restoredAt: built.value };
  await client.end().catch(() => undefined);
  if (built.status === 'rejected') return { ok: false, failure: built.reason };
  throw (counted as PromiseRejectedResult).reason;
}

/**
 * Restores a pg_dump into a fresh verify_* database, counts every table and runs the assertions.
 * The scratch database is dropped in every case: pass, fail, error or cancellation; if the worker
 * dies instead, the next restore on the server or the next worker start drops it.
 */
export async function restorePostgres(manifest: BackupManifest, artifactPath: string, server: VerifyServer, assertions: AssertionSpec[], context: RestoreContext): Promise<RestoreOutcome> {
  const database = verifyDatabaseName(manifest.target, context.now());
  const admin = await connectPostgres(server.url, server.password, server.url.database || 'postgres');
  try {
    // An earlier attempt's worker may have died mid-restore: its database goes before this one is made.
    await dropAbandonedPostgresScratch(admin, { now: context.now(), staleAfterHours: context.staleAfterHours });
    await claimPostgresScratch(admin, database);
    try {
      const started = Date.now();
      const restore = (section: PgRestoreSection) =>
        runCommand(pgRestore(server.url, server.password, { database, file: artifactPath, section }), {
          secrets: [server.password],
          cancelSignal: context.cancelSignal,
          retryable: false,
        });
      const restored = await restoreCounting(restore, () => connectPostgres(server.url, server.password, database));
      if (!restored.ok) {
        if (context.cancelSignal.aborted || !(restored.failure instanceof OpsError)) throw restored.failure;
        return { restoredInto: database, reasons: [`restore failed: ${restored.failure.message}`], rowCountDifferences: [] };
      }
      try {
        const restoreSeconds = (restored.restoredAt - started) / 1000;
        const counts = compareRowCounts(manifest.tables ?? [], restored.tables);
        const failures: string[] = [];
        for (const assertion of assertions) {
          const result = await restored.client.query({ text: assertion.sql, rowMode: 'array' });
          const value = result.rows[0]?.[0];
          const failure = assertionFailure(assertion, value === undefined || value === null ? null : Number(value));
          if (failure) failures.push(failure);
        }
        return { restoredInto: database, restoreSeconds, reasons: [...counts.reasons, ...failures], rowCountDifferences: counts.rowCountDifferences };
      } finally {
        await restored.client.end().catch(() => undefined);
      }
    } finally {
      await dropPostgresScratch(admin, database);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
