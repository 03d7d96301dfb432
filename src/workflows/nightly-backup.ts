import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowFailure, executeChild, patched, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { TargetFailureDetails, TargetOutcome, TargetRetention } from '../activities/backup/backup-types.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import type { RunLinkActivities } from '../activities/notify/run-link.js';
import type { AlertEvent } from '../core/alert-rules.js';
import { chainAlerts } from '../core/chain-alerts.js';
import { backupId, stampOf } from '../core/backup-id.js';
import type { HealthStatus } from '../core/backup-health.js';
import { mapBounded } from '../core/map-bounded.js';
import { runSummary } from '../core/run-summary.js';
import { searchAttributes, workflowIds } from '../temporal/names.js';
import { quickSteps } from './activity-options.js';
import { backupTarget } from './backup-target.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<BackupActivities & NotifyActivities & RunLinkActivities>(quickSteps);

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
  report: string;
  health: HealthStatus;
}

/**
 * The nightly chain: every target through dump → offsite → verify (as a child workflow each,
 * a bounded number at a time), then retention, then the report. One target failing never stops
 * the others; the run ends failed if any did, after the report is written.
 */
export async function nightlyBackup(input: NightlyBackupInput = {}): Promise<NightlyBackupResult> {
  const startedAt = new Date();
  const stamp = stampOf(startedAt);
  const progress = trackProgress(['plan', 'targets', 'retention', 'report', 'health']);

  // patched: a run that started before this step existed replays without it.
  const runUrl = input.runUrl ?? (patched('nightly-run-link') ? await withSummary(quick, 'link to this run').runLink() : undefined);
  const plan = await progress.run('plan', () => withSummary(quick, `plan ${runSummary.nightlyBackup(input)}`).planBackup({ targets: input.targets ?? [] }));
  upsertSearchAttributes([
    { key: searchAttributes.target, value: plan.targets.map((t) => t.name) },
    { key: searchAttributes.runKind, value: 'nightly-backup' },
  ]);

  const outcomes = await progress.run('targets', () =>
    mapBounded(plan.targets, plan.concurrency, async (target): Promise<TargetOutcome> => {
      progress.mark(`target ${target.name}`, 'running');
      // A plan made before the dump limit was planned has none: the child then keeps the long steps' limit.
      const dumpLimit = plan.dumpTimeoutMinutes !== undefined ? { dumpTimeoutMinutes: plan.dumpTimeoutMinutes } : {};
      // patched: a run that started its children under <run id>-<target> replays with those ids.
      const childId = patched('backup-target-lock') ? workflowIds.backupTarget(target.name) : `${workflowInfo().workflowId}-${target.name}`;
      try {
        // The child's id is the target's: while one run backs a target up, another run's child of it
        // cannot start, and that target fails at once, naming the running one. A lock rather than
        // guessing which partial dumps are stale: the dump sweeps the target's partials, and two
        // runs at once would also dump the same database twice.
        await executeChild(backupTarget, {
          workflowId: childId,
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          staticSummary: runSummary.backupTarget(target.name),
          args: [{ target: target.name, stamp, offsite: plan.offsite, ...dumpLimit }],
          typedSearchAttributes: [
            { key: searchAttributes.target, value: [target.name] },
            { key: searchAttributes.runKind, value: 'backup-target' },
          ],
        });
        progress.mark(`target ${target.name}`, 'done');
        return { target: target.name, backupId: backupId(target.name, stamp) };
      } catch (err) {
        const error = err instanceof WorkflowExecutionAlreadyStartedError
          ? `backup of ${target.name} is already running: ${childId}`
          : namingTarget(target.name, innermostMessage(err));
        progress.mark(`target ${target.name}`, 'failed', error);
        return { target: target.name, backupId: backupId(target.name, stamp), error, failedStep: failedStepOf(err) };
      }
    }),
  );

  let retention: TargetRetention[] = [];
  try {
    retention = await progress.run('retention', () => withSummary(quick, `retention ${targetNames(plan)}`).applyRetention({ targets: plan.targets.map((t) => t.name) }));
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
  await raiseAlerts(chainAlerts(failed, health, plan.verifyFailureAlertAt, runUrl));
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

function targetNames(plan: { targets: Array<{ name: string }> }): string {
  return plan.targets.map((t) => t.name).join(', ') || 'no targets';
}

/** The activities name their target; a timeout (the dump's limit, say) names nothing, and the run's message lists one line per target. */
function namingTarget(target: string, message: string): string {
  return message.startsWith(`${target}: `) ? message : `${target}: ${message}`;
}

/** The step a target failed at, from the details backupTarget attaches; a failure without them is the dump's. */
function failedStepOf(err: unknown): TargetOutcome['failedStep'] {
  const cause = err instanceof ChildWorkflowFailure ? err.cause : undefined;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as TargetFailureDetails | undefined) : undefined;
  return details?.failedStep ?? 'dump';
}

/** Alerts are best effort: a failed alert is reported by the alert activity itself and never fails the chain. */
async function raiseAlerts(events: AlertEvent[]): Promise<void> {
  for (const event of events) await withSummary(quick, `alert ${event.kind} ${event.subject}`).sendAlert(event).catch(() => undefined);
}
