import mysql from 'mysql2/promise';
import { decompress } from '../../commands/compression.js';
import { mysqlImport } from '../../commands/mysql.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { verifyDatabaseName } from '../../core/backup-id.js';
import { OpsError } from '../../core/errors.js';
import { assertionFailure, compareRowCounts, type AssertionSpec } from '../../core/verify-checks.js';
import { mysqlBinaries } from '../backup/mysql-binaries.js';
import { connectMysql, countMysqlRows } from '../databases/mysql-client.js';
import { runPipeline } from '../process/run-pipeline.js';
import { claimMysqlScratch, dropAbandonedMysqlScratch, dropMysqlScratch } from './mysql-scratch.js';
import type { RestoreContext, RestoreOutcome } from './restore-outcome.js';
import type { VerifyServer } from './restore-postgres.js';

/** Imports a compressed mysqldump into a fresh verify_* database, counts rows, runs the assertions, always drops it (or, if the worker dies, the next sweep does). */
export async function restoreMysql(manifest: BackupManifest, artifactPath: string, server: VerifyServer, assertions: AssertionSpec[], context: RestoreContext): Promise<RestoreOutcome> {
  const database = verifyDatabaseName(manifest.target, context.now());
  const admin = await connectMysql(server.url, server.password, undefined);
  try {
    // An earlier attempt's worker may have died mid-import: its database goes before this one is made.
    await dropAbandonedMysqlScratch(admin, { now: context.now(), staleAfterHours: context.staleAfterHours });
    await claimMysqlScratch(admin, database);
    try {
      const started = Date.now();
      try {
        await runPipeline(
          [decompress(manifest.compression === 'gzip' ? 'gzip' : 'zstd', artifactPath), mysqlImport(mysqlBinaries().client, server.url, server.password, database)],
          { secrets: [server.password], cancelSignal: context.cancelSignal, retryable: false },
        );
      } catch (err) {
        if (context.cancelSignal.aborted || !(err instanceof OpsError)) throw err;
        return { restoredInto: database, reasons: [`restore failed: ${err.message}`], rowCountDifferences: [] };
      }
      const restoreSeconds = (Date.now() - started) / 1000;
      const counts = compareRowCounts(manifest.tables ?? [], await countMysqlRows(admin, database));
      const failures: string[] = [];
      await admin.query(`USE ${mysql.escapeId(database)}`);
      for (const assertion of assertions) {
        const [rows] = await admin.query({ sql: assertion.sql, rowsAsArray: true });
        const value = (rows as unknown[][])[0]?.[0];
        const failure = assertionFailure(assertion, value === undefined || value === null ? null : Number(value));
        if (failure) failures.push(failure);
      }
      return { restoredInto: database, restoreSeconds, reasons: [...counts.reasons, ...failures], rowCountDifferences: counts.rowCountDifferences };
    } finally {
      await dropMysqlScratch(admin, database);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
