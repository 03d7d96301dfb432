import { ActivityCancellationType, ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RestoreActivities, RestorePlan } from '../activities/restore/restore-activities.js';
import { stampOf } from '../core/backup-id.js';
import type { CheckVerdict } from '../core/check-verdicts.js';
import { describePick, type RestorePick } from '../core/restore-pick.js';
import type { RestoreRecord } from '../core/restore-report.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<RestoreActivities>(quickSteps);
const long = proxyActivities<RestoreActivities>(longSteps);
// A cancel waits for the restore step to drop the database it created before the run ends cancelled.
const restoring = proxyActivities<RestoreActivities>({ ...longSteps, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED });

export interface RestoreBackupInput {
  target: string;
  pick: RestorePick;
  /** the new database; default <db>_restored_<stamp> */
  into?: string;
  /** names the default database and the report; default the run's start */
  stamp?: string;
}

/**
 * `ops restore`: pick a backup of the target, confirm its artifact against the manifest, restore
 * it into a NEW database on the target's own server, run verify's checks on it, and report each
 * check's verdict and the RTO. Refusals (no such backup, a checksum mismatch, a database of that
 * name already there) happen before anything is created; a restore that fails its checks or is
 * cancelled drops the database it created.
 */
export async function restoreBackup(input: RestoreBackupInput): Promise<RestoreRecord> {
  const progress = trackProgress(['pick', 'checksum', 'restore and check', 'report']);
  const started = new Date();
  const stamp = input.stamp ?? stampOf(started);
  upsertSearchAttributes([
    { key: searchAttributes.target, value: [input.target] },
    { key: searchAttributes.runKind, value: 'restore' },
  ]);
  const checks: CheckVerdict[] = [];
  let plan: RestorePlan | undefined;
  let record: RestoreRecord;
  let failure: unknown;
  let cancelled = false;
  const base = { workflowId: workflowInfo().workflowId, target: input.target, pick: describePick(input.pick), startedAt: started.toISOString() };
  try {
    plan = await progress.run('pick', () => withSummary(quick, `pick a backup of ${input.target} (${base.pick})`).planRestore({ ...input, stamp }));
    const { backupId, database } = plan;
    const artifact = await progress.run('checksum', () => withSummary(long, `checksum of ${backupId}`).confirmRestoreArtifact({ backupId }));
    checks.push({ check: 'checksum', passed: true, detail: `sha256 ${artifact.sha256.slice(0, 12)}… of ${artifact.bytes} bytes matches the manifest` });
    const outcome = await progress.run('restore and check', () => withSummary(restoring, `restore ${backupId} into ${database}`).restoreIntoNewDatabase({ backupId, database }));
    const checkedAt = new Date();
    checks.push(...(outcome.checks ?? []));
    const passed = outcome.reasons.length === 0;
    if (!passed) progress.mark('restore and check', 'failed', outcome.reasons.join('; '));
    record = {
      ...base, backupId, database, server: plan.server, status: passed ? 'passed' : 'failed', kept: passed,
      finishedAt: checkedAt.toISOString(), checks, reasons: outcome.reasons,
      ...(outcome.restoreSeconds !== undefined ? { restoreSeconds: outcome.restoreSeconds } : {}),
      ...(passed ? { rtoSeconds: (checkedAt.getTime() - started.getTime()) / 1000 } : {}),
    };
  } catch (err) {
    failure = err;
    // A cancel kills pg_restore, so the step may fail with the killed command's error rather than as cancelled.
    cancelled = isCancellation(err) || CancellationScope.current().consideredCancelled;
    const reason = cancelled ? 'cancelled' : innermostMessage(err);
    if (plan && !progress.snapshot().some((s) => s.step === 'checksum' && s.status === 'done')) checks.push({ check: 'checksum', passed: false, detail: reason });
    record = {
      ...base, status: cancelled ? 'cancelled' : 'failed', kept: false, finishedAt: new Date().toISOString(), checks, reasons: [reason],
      ...(plan ? { backupId: plan.backupId, database: plan.database, server: plan.server } : {}),
    };
  }
  // The report is written also when the run was cancelled: it says what was dropped.
  const { report } = await CancellationScope.nonCancellable(() =>
    progress.run('report', () => withSummary(quick, `report restore of ${input.target}`).writeRestoreReport({ record, stamp })),
  );
  record = { ...record, report };
  if (cancelled) throw new CancelledFailure(`restore of ${record.backupId ?? input.target} cancelled; report ${report}`);
  if (record.status !== 'passed') {
    const where = record.backupId ?? input.target;
    throw ApplicationFailure.create({ type: failureType(failure), nonRetryable: true, message: `restore of ${where} failed: ${record.reasons.join('; ')}`, details: [record] });
  }
  return record;
}

/** The named type of the failure underneath (PreconditionFailed, ...); a restore that ran but failed its checks is VerifyFailed. */
function failureType(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof ApplicationFailure && current.type ? current.type : 'VerifyFailed';
}
