import mysql from 'mysql2/promise';
import { decompress } from '../../commands/compression.js';
import { alterDatabaseInPlace, mysqlImport } from '../../commands/mysql.js';
import type { AssertionResult } from '../../core/check-verdicts.js';
import { OpsError } from '../../core/errors.js';
import type { AssertionSpec } from '../../core/verify-checks.js';
import { mysqlBinaries } from '../backup/mysql-binaries.js';
import { connectMysql, countMysqlRows } from '../databases/mysql-client.js';
import { runOnPlaintext, type OpenedArtifact } from '../encryption/open-artifact.js';
import { checkedOutcome, restoreFailed } from './checked-outcome.js';
import { promoteMysql } from './promote-mysql.js';
import { claimMysqlScratch, dropAbandonedMysqlScratch, dropMysqlScratch } from './mysql-scratch.js';
import type { RestoreContext, RestoreDestination, RestoreOutcome } from './restore-outcome.js';

/**
 * Imports a compressed mysqldump into a scratch database, counts rows, runs the assertions. When
 * the destination promotes it and every check passed, its tables move to the final name (see
 * promoteMysql); the scratch database is dropped in every case.
 */
export async function restoreMysql(opened: OpenedArtifact, destination: RestoreDestination, assertions: AssertionSpec[], context: RestoreContext): Promise<RestoreOutcome> {
  const { manifest } = opened;
  const { server, database } = destination;
  const admin = await connectMysql(server.url, server.password, undefined);
  try {
    // An earlier attempt's worker may have died mid-import: its scratch database goes before this one is made.
    await dropAbandonedMysqlScratch(admin, { now: context.now(), staleAfterHours: context.staleAfterHours }, destination.scratchPrefix);
    await claimMysqlScratch(admin, database, server, manifest.databaseDefaults);
    try {
      const started = Date.now();
      try {
        await runOnPlaintext(
          opened,
          (file) => [
            decompress(manifest.compression === 'gzip' ? 'gzip' : 'zstd', file),
            // A dump made before ops unnamed its ALTER DATABASE lines is filtered here instead (a pipe stage: about 5 % of a large import).
            ...(manifest.alterDatabaseUnnamed ? [] : [alterDatabaseInPlace()]),
            mysqlImport(mysqlBinaries().client, server.url, server.password, database),
          ],
          { secrets: [server.password], cancelSignal: context.cancelSignal, retryable: false },
        );
      } catch (err) {
        if (context.cancelSignal.aborted || !(err instanceof OpsError)) throw err;
        return restoreFailed(database, err.message);
      }
      const restoreSeconds = (Date.now() - started) / 1000;
      const tables = await countMysqlRows(admin, database);
      const results: AssertionResult[] = [];
      await admin.query(`USE ${mysql.escapeId(database)}`);
      for (const assertion of assertions) {
        const [rows] = await admin.query({ sql: assertion.sql, rowsAsArray: true });
        const value = (rows as unknown[][])[0]?.[0];
        results.push({ assertion, value: value === undefined || value === null ? null : Number(value) });
      }
      const outcome = checkedOutcome(manifest, database, restoreSeconds, tables, results);
      if (!destination.promote || outcome.reasons.length > 0) return outcome;
      await context.beforePromote?.();
      await promoteMysql(admin, server, database, destination.promote, manifest.databaseDefaults);
      return { ...outcome, restoredInto: destination.promote.database };
    } finally {
      // After a promotion the scratch database is empty: its tables moved.
      await dropMysqlScratch(admin, database);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
