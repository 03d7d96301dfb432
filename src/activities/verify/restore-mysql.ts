import mysql from 'mysql2/promise';
import { decompress } from '../../commands/compression.js';
import { mysqlImport } from '../../commands/mysql.js';
import type { BackupManifest } from '../../core/backup-record.js';
import type { AssertionResult } from '../../core/check-verdicts.js';
import { OpsError } from '../../core/errors.js';
import type { AssertionSpec } from '../../core/verify-checks.js';
import { mysqlBinaries } from '../backup/mysql-binaries.js';
import { connectMysql, countMysqlRows } from '../databases/mysql-client.js';
import { runPipeline } from '../process/run-pipeline.js';
import { checkedOutcome, restoreFailed } from './checked-outcome.js';
import { createMysqlDatabase } from './create-database.js';
import { claimMysqlScratch, dropAbandonedMysqlScratch, dropMysqlScratch } from './mysql-scratch.js';
import type { RestoreContext, RestoreDestination, RestoreOutcome } from './restore-outcome.js';

/**
 * Imports a compressed mysqldump into a new database, counts rows, runs the assertions. The new
 * database is dropped in every case unless the destination keeps it and every check passed.
 */
export async function restoreMysql(manifest: BackupManifest, artifactPath: string, destination: RestoreDestination, assertions: AssertionSpec[], context: RestoreContext): Promise<RestoreOutcome> {
  const { server, database } = destination;
  const admin = await connectMysql(server.url, server.password, undefined);
  try {
    if (destination.keep) {
      await createMysqlDatabase(admin, server, database);
    } else {
      // An earlier attempt's worker may have died mid-import: its scratch database goes before this one is made.
      await dropAbandonedMysqlScratch(admin, { now: context.now(), staleAfterHours: context.staleAfterHours });
      await claimMysqlScratch(admin, database);
    }
    let keep = false;
    try {
      const started = Date.now();
      try {
        await runPipeline(
          [decompress(manifest.compression === 'gzip' ? 'gzip' : 'zstd', artifactPath), mysqlImport(mysqlBinaries().client, server.url, server.password, database)],
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
      keep = destination.keep && outcome.reasons.length === 0;
      return outcome;
    } finally {
      if (!keep) await dropMysqlScratch(admin, database);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
