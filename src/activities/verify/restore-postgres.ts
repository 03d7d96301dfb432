import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { pgRestore } from '../../commands/postgres.js';
import type { TableCount } from '../../core/backup-record.js';
import { describeError, OpsError, TransientFailure } from '../../core/errors.js';
import { withoutJobNotice } from '../../core/pg-restore-failure.js';
import { finishedTableData } from '../../core/pg-restore-progress.js';
import { restoreJobs } from '../../core/restore-jobs.js';
import type { AssertionResult } from '../../core/check-verdicts.js';
import type { AssertionSpec } from '../../core/verify-checks.js';
import { connectPostgres, countPostgresRows, countTableNamed } from '../databases/postgres-client.js';
import { runOnPlaintext, type OpenedArtifact } from '../encryption/open-artifact.js';
import { checkedOutcome, restoreFailed } from './checked-outcome.js';
import { promotePostgres } from './promote-postgres.js';
import { claimPostgresScratch, dropAbandonedPostgresScratch, dropPostgresScratch } from './postgres-scratch.js';
import type { RestoreContext, RestoreDestination, RestoreOutcome } from './restore-outcome.js';

/** The restore's own failure is a verify finding; the caller decides. The client is open on the restored database. */
type Restored = { ok: true; client: pg.Client; tables: TableCount[]; restoredAt: number } | { ok: false; failure: unknown };

/**
 * Restores the dump in one pg_restore run and counts every table's rows. A parallel run reports
 * each table whose rows are all in ("finished item … TABLE DATA"), and that table is counted
 * then, while pg_restore loads the others and builds the indexes: post-data adds no rows.
 * Counting a freshly restored table reads all of it, so this takes most counting off the
 * restore's critical path. What was not counted so far (every table, after a one-job run) is
 * counted once the run has ended.
 */
async function restoreCounting(restore: (onProgressLine: (line: string) => void) => Promise<unknown>, connect: () => Promise<pg.Client>, database: string): Promise<Restored> {
  let opened: Promise<pg.Client> | undefined;
  const session = () => (opened ??= connect());
  const counted = new Map<string, number>();
  let counting: Promise<unknown> = Promise.resolve();
  const onProgressLine = (line: string) => {
    const table = finishedTableData(line);
    if (table === undefined) return;
    // One count at a time, in the one session; a table this cannot pin down is counted after the run.
    counting = counting.then(async () => {
      const count = await countTableNamed(await session(), table);
      if (count) counted.set(count.table, count.rows);
    });
    // Awaited once the run has ended; a count that failed before then is not an unhandled rejection meanwhile.
    counting.catch(() => undefined);
  };
  const end = async () => {
    if (opened) await (await opened.catch(() => undefined))?.end().catch(() => undefined);
  };
  let restoredAt: number;
  try {
    await restore(onProgressLine);
    restoredAt = Date.now();
  } catch (failure) {
    // The restore failed or was cancelled: a count waiting on a lock someone else holds would keep
    // the step, and its scratch database, until that lock went. Ending the session ends the wait
    // here; the forced drop that follows ends its backend.
    await end();
    await counting.catch(() => undefined);
    return { ok: false, failure };
  }
  try {
    await counting;
    const client = await session();
    return { ok: true, client, tables: await countPostgresRows(client, counted), restoredAt };
  } catch (err) {
    await end();
    // The rows are in but could not be counted (a session ended, a server restarted): the step's retry restores again.
    throw err instanceof OpsError ? err : new TransientFailure(`counting the rows restored into ${database} failed: ${describeError(err)}`);
  }
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
      // An encrypted dump streams through age into one job, never a plaintext file. One on disk is
      // restored by parallel jobs when large enough (see restoreJobs); a cancel stops them as a whole (see startChild).
      const jobs = restoreJobs(availableParallelism(), manifest.bytes);
      const restore = (onProgressLine: (line: string) => void) =>
        runOnPlaintext(opened, (file) => [pgRestore(server.url, server.password, { database, file, ...(file !== undefined && jobs > 1 ? { jobs, verbose: true } : {}) })], {
          secrets: [server.password],
          cancelSignal: context.cancelSignal,
          retryable: false,
          onProgressLine,
        });
      const restored = await restoreCounting(restore, () => connectPostgres(server.url, server.password, database), database);
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
