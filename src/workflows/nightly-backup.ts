import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowFailure, proxyActivities, sleep, startChild, upsertSearchAttributes, workflowInfo, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { BackupPlan, TargetFailureDetails, TargetOutcome, TargetRetention } from '../contracts/backup.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import type { RunLinkActivities } from '../activities/notify/run-link.js';
import type { AlertEvent } from '../core/alert-rules.js';
import { chainAlerts } from '../core/chain-alerts.js';
import { backupId, stampOf, triggerOfRun } from '../core/backup-id.js';
import type { HealthStatus } from '../core/backup-health.js';
import { mapBounded } from '../core/map-bounded.js';
import { runSummary } from '../core/run-summary.js';
import { searchAttributes, workflowIds } from '../temporal/names.js';
import { quickSteps, onRole } from './activity-options.js';
import { backupTarget } from './backup-target.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<BackupActivities & NotifyActivities & RunLinkActivities>(onRole('backup', quickSteps));

type Progress = ReturnType<typeof trackProgress>;

export interface NightlyBackupInput {
  /** Only these targets; all configured targets when empty. */
  targets?: string[];
  /** A link to this run in the Temporal UI, for the report and the alerts; without one (a scheduled run), the worker makes it. */
  runUrl?: string;
}

export interface NightlyBackupResult {
  targets: TargetOutcome[];
  /** What retention kept and deleted per target, with any offsite retention error: those never fail the run. */
  retention: TargetRetention[];
  /** absent when every target was already being backed up by another run: this one started nothing, so it reports nothing */
  report?: string;
  health?: HealthStatus;
}

/**
 * The nightly chain: every target through dump → offsite → verify (as a child workflow each,
 * a bounded number at a time), then retention, then the report. One target failing never stops
 * the others; the run ends failed if any did, after the report is written.
 */
export async function nightlyBackup(input: NightlyBackupInput = {}): Promise<NightlyBackupResult> {
  const startedAt = new Date();
  let stamp = stampOf(startedAt);
  const progress = trackProgress(['plan', 'targets', 'retention', 'report', 'health']);

  const runUrl = input.runUrl ?? (await withSummary(quick, 'link to this run').runLink());
  const plan = await progress.run('plan', () => withSummary(quick, `plan ${runSummary.nightlyBackup(input)}`).planBackup({ targets: input.targets ?? [] }));
  upsertSearchAttributes([
    { key: searchAttributes.target, value: plan.targets.map((t) => t.name) },
    { key: searchAttributes.runKind, value: 'nightly-backup' },
  ]);
  // A run that started in the second the last one's backups are stamped with would name its own
  // the same: it waits for the next second (see dumpTarget, which refuses such a collision).
  if (plan.newestStamp === stamp) {
    await sleep(1_000 - (Date.now() % 1_000));
    stamp = stampOf(new Date());
  }

  const outcomes = await progress.run(
    'targets',
    () => mapBounded(plan.targets, plan.concurrency, (target) => backUpTarget(target.name, stamp, plan, progress)),
    (all) => {
      const failed = all.filter((o) => o.error).length;
      return failed > 0 ? `${failed} of ${all.length} targets failed` : undefined;
    },
  );
  const ran = outcomes.filter((o) => !o.skipped);
  if (outcomes.length > 0 && ran.length === 0) {
    // Every target is another run's right now: this run started nothing, so it records, reports and alerts nothing.
    for (const step of ['retention', 'report', 'health']) progress.mark(step, 'skipped', 'nothing was backed up: every target is already running');
    return { targets: outcomes, retention: [] };
  }

  let retention: TargetRetention[] = [];
  try {
    // A refused target is the other run's to tidy: its backup is still being made.
    retention = await progress.run('retention', () => withSummary(quick, `retention ${ran.map((o) => o.target).join(', ')}`).applyRetention({ targets: ran.map((o) => o.target) }));
  } catch (err) {
    outcomes.push({ target: 'retention', error: innermostMessage(err) });
  }

  const report = await progress.run('report', () =>
    withSummary(quick, `report of ${targetNames(plan)}`).writeBackupReport({
      workflowId: workflowInfo().workflowId,
      ...(runUrl ? { runUrl } : {}),
      startedAt: startedAt.toISOString(),
      targets: outcomes.filter((o) => o.target !== 'retention'),
      retention,
    }),
  );

  const health = await progress.run('health', () => withSummary(quick, 'backup health').evaluateBackupHealth());
  const failed = outcomes.filter((o) => o.error);
  // A refused target's health is the running run's to alert on: this one made no backup of it.
  const refused = new Set(outcomes.filter((o) => o.skipped).map((o) => o.target));
  await raiseAlerts(chainAlerts(failed, health, plan.verifyFailureAlertAt, runUrl).filter((event) => !refused.has(event.subject)));
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      type: 'BackupFailed',
      nonRetryable: true,
      message: `${failed.length} of ${outcomes.length} failed: ${failed.map((f) => f.error).join(' | ')}`,
      details: [{ report: report.latest, targets: outcomes, retention, health: health.status }],
    });
  }
  return { targets: outcomes, retention, report: report.latest, health: health.status };
}

/**
 * One target's child run. The child's id is the target's: while one run backs a target up, another
 * run's child of it cannot start, and that target is skipped at once, naming the running one. A
 * lock rather than guessing which partial dumps are stale: the dump sweeps the target's partials,
 * and two runs at once would also dump the same database twice. The step carries the child's run
 * id, so `--wait` shows this run's child and never the other run's.
 */
async function backUpTarget(target: string, stamp: string, plan: BackupPlan, progress: Progress): Promise<TargetOutcome> {
  const step = `target ${target}`;
  progress.markWithin('targets', step, 'running');
  // A plan made before the dump limit was planned has none: the child then keeps the long steps' limit.
  const dumpLimit = plan.dumpTimeoutMinutes !== undefined ? { dumpTimeoutMinutes: plan.dumpTimeoutMinutes } : {};
  const childId = workflowIds.backupTarget(target);
  let child: ChildWorkflowHandle<typeof backupTarget>;
  try {
    child = await startChild(backupTarget, {
      workflowId: childId,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: runSummary.backupTarget(target),
      args: [{ target, stamp, offsite: plan.offsite, ...(plan.offsiteDestinations ? { offsiteDestinations: plan.offsiteDestinations } : {}), ...dumpLimit, trigger: triggerOfRun(workflowInfo().workflowId) }],
      typedSearchAttributes: [
        { key: searchAttributes.target, value: [target] },
        { key: searchAttributes.runKind, value: 'backup-target' },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const skipped = `already running (${childId})`;
      progress.markWithin('targets', step, 'skipped', skipped);
      return { target, skipped };
    }
    const error = namingTarget(target, innermostMessage(err));
    progress.markWithin('targets', step, 'failed', error);
    return { target, backupId: backupId(target, stamp), error, failedStep: 'dump' };
  }
  progress.markWithin('targets', step, 'running', undefined, child.firstExecutionRunId);
  try {
    await child.result();
    progress.markWithin('targets', step, 'done');
    return { target, backupId: backupId(target, stamp) };
  } catch (err) {
    const error = namingTarget(target, innermostMessage(err));
    progress.markWithin('targets', step, 'failed', error);
    return { target, backupId: backupId(target, stamp), error, ...failureDetailsOf(err) };
  }
}

/** The activities name their target; a timeout (the dump's limit, say) names nothing, and the run's message lists one line per target. */
function namingTarget(target: string, message: string): string {
  return message.startsWith(`${target}: `) ? message : `${target}: ${message}`;
}

/** The step a target failed at (and which offsite copies), from the details backupTarget attaches; a failure without them is the dump's. */
function failureDetailsOf(err: unknown): Pick<TargetOutcome, 'failedStep' | 'offsiteFailures'> {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as TargetFailureDetails | undefined) : undefined;
  return { failedStep: details?.failedStep ?? 'dump', ...(details?.offsiteFailures?.length ? { offsiteFailures: details.offsiteFailures } : {}) };
}

/** Alerts are best effort: a failed alert is reported by the alert activity itself and never fails the chain. */
async function raiseAlerts(events: AlertEvent[]): Promise<void> {
  for (const event of events) await withSummary(quick, `alert ${event.kind} ${event.subject}`).sendAlert(event).catch(() => undefined);
}

function targetNames(plan: { targets: Array<{ name: string }> }): string {
  return plan.targets.map((t) => t.name).join(', ') || 'no targets';
}
