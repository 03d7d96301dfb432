import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { pgRestore, type PgRestoreSection } from '../../commands/postgres.js';
import type { TableCount } from '../../core/backup-record.js';
import { OpsError } from '../../core/errors.js';
import { withoutJobNotice } from '../../core/pg-restore-failure.js';
import { restoreJobs } from '../../core/restore-jobs.js';
import type { AssertionResult } from '../../core/check-verdicts.js';
import type { AssertionSpec } from '../../core/verify-checks.js';
import { connectPostgres, countPostgresRows } from '../databases/postgres-client.js';
import { runOnPlaintext, type OpenedArtifact } from '../encryption/open-artifact.js';
import { checkedOutcome, restoreFailed } from './checked-outcome.js';
import { promotePostgres } from './promote-postgres.js';
import { claimPostgresScratch, dropAbandonedPostgresScratch, dropPostgresScratch } from './postgres-scratch.js';
import type { RestoreContext, RestoreDestination, RestoreOutcome } from './restore-outcome.js';

/** The restore's own failure is a verify finding; the caller decides. The client is open on the restored database. */
type Restored = { ok: true; client: pg.Client; tables: TableCount[]; restoredAt: number } | { ok: false; failure: unknown };

/**
 * Restores the definitions and the rows in one pg_restore run, then counts every table's rows while
 * a second builds the post-data section (indexes, constraints, triggers): all rows are in once the
 * data section is, and post-data adds none. Counting a freshly restored table reads all of it, so
 * this overlap takes the count off the restore's critical path (see bench/README.md, Restore, for
 * what it measured beside pg_restore --jobs).
 */
async function restoreCounting(restore: (sections: PgRestoreSection[]) => Promise<unknown>, connect: () => Promise<pg.Client>): Promise<Restored> {
  try {
    await restore(['pre-data', 'data']);
  } catch (failure) {
    return { ok: false, failure };
  }
  const client = await connect();
  // A post-data that fails (or is cancelled: its pg_restore killed) ends the counting session too.
  // A count waiting on a lock someone else holds would otherwise keep the step, and its scratch
  // database, until that lock went; the forced drop that follows ends the session's backend.
  const building = restore(['post-data']).then(
    () => Date.now(),
    async (failure: unknown) => {
      await client.end().catch(() => undefined);
      throw failure;
    },
  );
  const [built, counted] = await Promise.allSettled([building, countPostgresRows(client)]);
  if (built.status === 'fulfilled' && counted.status === 'fulfilled') return { ok: true, client, tables: counted.value, restoredAt: built.value };
  await client.end().catch(() => undefined);
  if (built.status === 'rejected') return { ok: false, failure: built.reason };
  throw (counted as PromiseRejectedResult).reason;
}

/**
 * Restores a pg_dump into a scratch database, counts every table and runs the assertions. When
 * the destination promotes it and every check passed, it is renamed to its final name (see
 * promotePostgres); in every other case (fail, error, cancellation) it is dropped. If the worker
 * dies instead, the next restore with the same prefix on the server (or, for verify_*, the next
 * worker start) drops it.
 */
export async function restorePostgres(opened: OpenedArtifact, destination: RestoreDestination, assertions: AssertionSpec[], context: RestoreContext): Promise<RestoreOutcome> {
  const { manifest } = opened;
  const { server, database } = destination;
  const admin = await connectPostgres(server.url, server.password, server.url.database || 'postgres');
  try {
    // An earlier attempt's worker may have died mid-restore: its scratch database goes before this one is made.
    await dropAbandonedPostgresScratch(admin, { now: context.now(), staleAfterHours: context.staleAfterHours }, destination.scratchPrefix);
    await claimPostgresScratch(admin, database, server);
    try {
      const started = Date.now();
      // An encrypted dump is decrypted once per run of pg_restore: a stream through age each time, never a plaintext file.
      // A dump on disk is restored by parallel jobs (see restoreJobs); a cancel stops them as a whole (see startChild).
      const jobs = restoreJobs(availableParallelism());
      const restore = (sections: PgRestoreSection[]) =>
        runOnPlaintext(opened, (file) => [pgRestore(server.url, server.password, { database, file, sections, ...(file !== undefined ? { jobs } : {}) })], {
          secrets: [server.password],
          cancelSignal: context.cancelSignal,
          retryable: false,
        });
      const restored = await restoreCounting(restore, () => connectPostgres(server.url, server.password, database));
      if (!restored.ok) {
        if (context.cancelSignal.aborted || !(restored.failure instanceof OpsError)) throw restored.failure;
        return restoreFailed(database, withoutJobNotice(restored.failure).message);
      }
      let outcome: RestoreOutcome;
      try {
        const restoreSeconds = (restored.restoredAt - started) / 1000;
        const results: AssertionResult[] = [];
        for (const assertion of assertions) {
          const result = await restored.client.query({ text: assertion.sql, rowMode: 'array' });
          const value = result.rows[0]?.[0];
          results.push({ assertion, value: value === undefined || value === null ? null : Number(value) });
        }
        outcome = checkedOutcome(manifest, database, restoreSeconds, restored.tables, results);
      } finally {
        // A database with a session open cannot be renamed.
        await restored.client.end().catch(() => undefined);
      }
      if (!destination.promote || outcome.reasons.length > 0) return outcome;
      await context.beforePromote?.();
      await promotePostgres(admin, server, database, destination.promote);
      return { ...outcome, restoredInto: destination.promote.database };
    } finally {
      // After a promotion the scratch name is gone: this drops nothing.
      await dropPostgresScratch(admin, database);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
