import type { BackupManifest, TableCount } from '../../core/backup-record.js';
import { countedVerdicts, restoredCopyVerdicts, type AssertionResult } from '../../core/check-verdicts.js';
import { assertionFailure, compareRowCounts, countedFindings } from '../../core/verify-checks.js';
import type { RestoreOutcome } from './restore-outcome.js';

/** The outcome of a restore that finished: the row counts against the manifest and the assertions, as reasons and as verdicts. */
export function checkedOutcome(manifest: BackupManifest, database: string, restoreSeconds: number, tables: TableCount[], assertions: AssertionResult[]): RestoreOutcome {
  const expected = manifest.tables ?? [];
  const counts = compareRowCounts(expected, tables);
  const failures = assertions.map(({ assertion, value }) => assertionFailure(assertion, value)).filter((f): f is string => f !== undefined);
  const checks = restoredCopyVerdicts(expected, tables, assertions);
  return {
    restoredInto: database,
    restoreSeconds,
    reasons: [...counts.reasons, ...failures],
    rowCountDifferences: counts.rowCountDifferences,
    checks,
    countedChecks: countedVerdicts(checks, assertions.length),
    counted: countedFindings({
      ...(expected.length !== tables.length ? { tableCount: { manifest: expected.length, restored: tables.length } } : {}),
      rowCountDifferences: counts.rowCountDifferences.length,
      failedAssertions: failures.length,
    }),
  };
}

/** The restore command itself failed: a finding, not an error, so verify records it. */
export function restoreFailed(database: string, message: string): RestoreOutcome {
  return { restoredInto: database, reasons: [`restore failed: ${message}`], rowCountDifferences: [], checks: [{ check: 'restore', passed: false, detail: message }], countedChecks: [{ check: 'restore', passed: false, detail: 'the restore failed' }], counted: countedFindings({ restoreFailed: true }) };
}
