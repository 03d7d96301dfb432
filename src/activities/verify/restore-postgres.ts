import { pgRestore } from '../../commands/postgres.js';
import type { DatabaseAddress } from '../../config/database-url.js';
import type { Secret } from '../../config/secret.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { verifyDatabaseName } from '../../core/backup-id.js';
import { OpsError } from '../../core/errors.js';
import { assertionFailure, compareRowCounts, type AssertionSpec } from '../../core/verify-checks.js';
import { connectPostgres, countPostgresRows } from '../databases/postgres-client.js';
import { runCommand } from '../process/run-command.js';
import type { RestoreContext, RestoreOutcome } from './restore-outcome.js';

export interface VerifyServer {
  url: DatabaseAddress;
  password?: Secret | undefined;
}

/**
 * Restores a pg_dump into a fresh verify_* database, counts every table and runs the assertions.
 * The scratch database is dropped in every case: pass, fail, error or cancellation.
 */
export async function restorePostgres(manifest: BackupManifest, artifactPath: string, server: VerifyServer, assertions: AssertionSpec[], context: RestoreContext): Promise<RestoreOutcome> {
  const database = verifyDatabaseName(manifest.target, context.now());
  const admin = await connectPostgres(server.url, server.password, server.url.database || 'postgres');
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
    try {
      const started = Date.now();
      try {
        await runCommand(pgRestore(server.url, server.password, { database, file: artifactPath }), {
          secrets: [server.password],
          cancelSignal: context.cancelSignal,
          retryable: false,
        });
      } catch (err) {
        if (context.cancelSignal.aborted || !(err instanceof OpsError)) throw err;
        return { restoredInto: database, reasons: [`restore failed: ${err.message}`], rowCountDifferences: [] };
      }
      const restoreSeconds = (Date.now() - started) / 1000;
      const restored = await connectPostgres(server.url, server.password, database);
      try {
        const counts = compareRowCounts(manifest.tables ?? [], await countPostgresRows(restored));
        const failures: string[] = [];
        for (const assertion of assertions) {
          const result = await restored.query({ text: assertion.sql, rowMode: 'array' });
          const value = result.rows[0]?.[0];
          const failure = assertionFailure(assertion, value === undefined || value === null ? null : Number(value));
          if (failure) failures.push(failure);
        }
        return { restoredInto: database, restoreSeconds, reasons: [...counts.reasons, ...failures], rowCountDifferences: counts.rowCountDifferences };
      } finally {
        await restored.end().catch(() => undefined);
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
