import { ActivityCancellationType, ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RestoreActivities } from '../activities/restore/restore-activities.js';
import type { RestorePlan } from '../contracts/restore.js';
import { stampOf } from '../core/backup-id.js';
import type { CheckVerdict } from '../core/check-verdicts.js';
import { describePick, type RestorePick } from '../core/restore-pick.js';
import type { RestoreRecord } from '../core/restore-report.js';
import type { RestoreSource } from '../core/restore-source.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps, onRole } from './activity-options.js';
import { trackApprovals } from './approval-gate.js';
import type { ApprovalDecision } from './deploy-signals.js';
import { innermostMessage, trackProgress, type StepProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { approveUpdate, pendingApprovalQuery } from './deploy-signals.js';
export { progressQuery } from './progress.js';

const quick = proxyActivities<RestoreActivities>(onRole('backup', quickSteps));
const long = proxyActivities<RestoreActivities>(onRole('backup', longSteps));
// A cancel waits for the restore step to drop its scratch database before the run ends cancelled.
const restoring = proxyActivities<RestoreActivities>(onRole('backup', { ...longSteps, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }));

export interface RestoreBackupInput {
  target: string;
  pick: RestorePick;
  /** local or offsite; absent: local, else offsite when the repository has no backup that qualifies */
  from?: RestoreSource;
  /** the final database; default <db>_restored_<stamp>, or with `replace` the target's own */
  into?: string;
  /** go over an existing non-empty database, once approved; it is kept as <db>_before_restore_<stamp> */
  replace?: boolean;
  /** `--server NAME`: restore onto the config's restore.servers.NAME instead of the target's own server */
  server?: string;
  /** `--yes`: the replace is approved by whoever started the run, without a gate */
  yes?: { by: string };
  /** how long the replace waits for `ops restore approve`; no answer is a refusal (default 30) */
  approvalTimeoutMinutes?: number;
  /** names the default database and the report; default the run's start */
  stamp?: string;
}

const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 30;

/**
 * `ops restore`: pick a backup of the target, restore it into a scratch database on the target's
 * own server while its artifact is hashed against the manifest, run verify's checks on it, and only
 * then give it its final name, and report each check's verdict and the RTO. Refusals (no such
 * backup, a non-empty database of that name without --replace) happen before anything is created;
 * a checksum mismatch stops the restore and drops its scratch database, so nothing ever holds the
 * final name. Replacing a non-empty database waits at an approval gate (or takes --yes);
 * a reject or no answer ends the run refused, nothing touched. A restore that fails its checks
 * or is cancelled drops its scratch database and never touches the old one.
 */
export async function restoreBackup(input: RestoreBackupInput): Promise<RestoreRecord & { steps: StepProgress[] }> {
  const progress = trackProgress(['pick', 'checksum', 'approval', 'restore and check', 'report']);
  const approvals = trackApprovals('restore');
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
  let approval: ApprovalDecision | undefined;
  const onServer = input.server !== undefined ? { server: input.server } : {};
  const base = { workflowId: workflowInfo().workflowId, target: input.target, pick: describePick(input.pick), startedAt: started.toISOString() };

  const restoreChecked = async ({ backupId, database, server, replacing, from }: RestorePlan): Promise<RestoreRecord> => {
    const outcome = await progress.run('restore and check', () =>
      withSummary(restoring, `restore ${backupId}${from !== undefined ? ` fetched from ${from}` : ''} into ${database}${replacing ? ` (replacing it, kept as ${replacing.keptAs})` : ''}`).restoreToFinalName({ backupId, database, ...(replacing ? { replacing: { keptAs: replacing.keptAs } } : {}), ...(from !== undefined ? { from } : {}), ...onServer }),
    );
    const checkedAt = new Date();
    if (outcome.fetched) {
      progress.mark('checksum', 'done', `fetched from ${outcome.fetched.from}`);
      checks.push(checksumVerdict(outcome.fetched, ` (fetched from ${outcome.fetched.from})`));
    } else if (outcome.confirmed && !checks.some((c) => c.check === 'checksum')) {
      progress.mark('checksum', 'done', 'alongside the restore');
      checks.push(checksumVerdict(outcome.confirmed, ''));
    }
    checks.push(...(outcome.checks ?? []));
    const passed = outcome.reasons.length === 0;
    if (!passed) progress.mark('restore and check', 'failed', outcome.reasons.join('; '));
    return {
      ...base, backupId, ...(from !== undefined ? { from } : {}), database, server, status: passed ? 'passed' : 'failed', kept: passed, ...(replacing ? { replaces: true } : {}),
      finishedAt: checkedAt.toISOString(), checks, reasons: outcome.reasons,
      ...(outcome.restoreSeconds !== undefined ? { restoreSeconds: outcome.restoreSeconds } : {}),
      ...(passed ? { rtoSeconds: (checkedAt.getTime() - started.getTime()) / 1000 } : {}),
      ...(passed && replacing ? { replaced: { keptAs: replacing.keptAs } } : {}),
      ...(approval ? { approval } : {}),
    };
  };

  try {
    const { target, pick, into, replace, from } = input;
    plan = await progress.run('pick', () => withSummary(quick, `pick a backup of ${input.target} (${base.pick})`).planRestore({ target, pick, stamp, ...(from ? { from } : {}), ...(into !== undefined ? { into } : {}), ...(replace ? { replace } : {}), ...onServer }));
    const { backupId, database, replacing } = plan;
    const gateWaits = replacing !== undefined && replacing.tables > 0 && !input.yes;
    // Nobody is asked to approve a damaged artifact; the restore step hashes it again, as it may change during the wait.
    if (plan.from === undefined && gateWaits) {
      const artifact = await progress.run('checksum', () => withSummary(long, `checksum of ${backupId}`).confirmRestoreArtifact({ backupId }));
      checks.push(checksumVerdict(artifact, ''));
    } else if (plan.from === undefined) {
      // Hashed while it is restored, and the copy takes its final name only if the hash matched: no step of its own before the restore.
      progress.mark('checksum', 'pending', 'alongside the restore, before the copy takes its final name');
    } else {
      // The fetched copy exists only on the worker that fetches it: the restore step fetches and checks it, before it creates anything.
      progress.mark('checksum', 'pending', `after the fetch from ${plan.from}, in the restore step`);
    }
    if (replacing && replacing.tables > 0) {
      progress.mark('approval', 'running');
      approval = input.yes ? { approved: true, by: input.yes.by, reason: '--yes' } : await approvals.decide(`replace ${database}`, input.approvalTimeoutMinutes ?? DEFAULT_APPROVAL_TIMEOUT_MINUTES, { ref: backupId });
      // A refusal is the gate doing its job, not a failed step: the run ends refused, with nothing restored.
      progress.mark('approval', 'done', `${approval.approved ? 'approved' : 'refused'} by ${approval.by}`);
      if (!approval.approved) progress.mark('restore and check', 'skipped', 'the replace was refused: nothing was restored');
    } else {
      progress.mark('approval', 'skipped');
    }
    record = approval && !approval.approved
      ? { ...base, backupId, database, server: plan.server, replaces: true, status: 'refused', kept: false, finishedAt: new Date().toISOString(), checks, reasons: [refusalReason(database, approval)], approval }
      : await restoreChecked(plan);
  } catch (err) {
    failure = err;
    // A cancel kills pg_restore, so the step may fail with the killed command's error rather than as cancelled.
    cancelled = isCancellation(err) || CancellationScope.current().consideredCancelled;
    const reason = cancelled ? 'cancelled' : innermostMessage(err);
    // The checksum step's own failure, or, where the restore step confirms the artifact (offsite, or
    // alongside the restore), only its ArtifactMismatch (a missing copy, a mismatch) is the checksum's
    // verdict; any other failure of that step (a user that may not create the database) is the step's own.
    const checksumStep = progress.snapshot().find((s) => s.step === 'checksum');
    const checksumFailed = plan !== undefined && (checksumStep?.status === 'failed' || (checksumStep?.status === 'pending' && !cancelled && failureType(err) === 'ArtifactMismatch'));
    if (checksumFailed) {
      checks.push({ check: 'checksum', passed: false, detail: reason });
      if (checksumStep?.status === 'pending') progress.mark('checksum', 'failed', reason);
    } else if (plan !== undefined && checksumStep?.status === 'pending') {
      progress.mark('checksum', 'skipped', 'not confirmed: the restore step stopped first');
    }
    progress.skipPending(cancelled ? 'cancelled' : `not run: ${plan === undefined ? 'the pick' : 'an earlier step'} failed`, ['report']);
    record = {
      ...base, status: cancelled ? 'cancelled' : 'failed', kept: false, finishedAt: new Date().toISOString(), checks, reasons: [reason],
      ...(plan ? { backupId: plan.backupId, ...(plan.from !== undefined ? { from: plan.from } : {}), database: plan.database, server: plan.server, ...(plan.replacing ? { replaces: true } : {}) } : {}),
      ...(approval ? { approval } : {}),
    };
  }
  // The report is written also when the run was cancelled: it says what was dropped.
  const { report } = await CancellationScope.nonCancellable(() =>
    progress.run('report', () => withSummary(quick, `report restore of ${input.target}`).writeRestoreReport({ record, stamp })),
  );
  record = { ...record, report };
  if (cancelled) throw new CancelledFailure(`restore of ${record.backupId ?? input.target} cancelled; report ${report}`);
  // A refused replace is the answer someone gave (or did not give), not a failure: the run completes, nothing touched.
  if (record.status !== 'passed' && record.status !== 'refused') {
    const where = record.backupId ?? input.target;
    throw ApplicationFailure.create({ type: failureType(failure), nonRetryable: true, message: `restore of ${where} failed: ${record.reasons.join('; ')}`, details: [record] });
  }
  // The final steps ride with the result: `--wait` then prints them without querying the closed run.
  return { ...record, steps: progress.snapshot() };
}

function checksumVerdict(artifact: { sha256: string; bytes: number }, where: string): CheckVerdict {
  return { check: 'checksum', passed: true, detail: `sha256 ${artifact.sha256.slice(0, 12)}… of ${artifact.bytes} bytes matches the manifest${where}` };
}

function refusalReason(database: string, decision: ApprovalDecision): string {
  const why = decision.by === 'timeout' ? (decision.reason ?? 'no answer in time') : `rejected by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}`;
  return `replace of ${database} refused: ${why}; nothing was changed`;
}

/** The named type of the failure underneath (PreconditionFailed, ...); a restore that ran but failed its checks is VerifyFailed. */
export function failureType(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof ApplicationFailure && current.type ? current.type : 'VerifyFailed';
}
