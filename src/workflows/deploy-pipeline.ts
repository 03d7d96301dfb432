import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, patched, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DeployActivities } from '../activities/deploy/deploy-activities.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import type { DeployInput, DeployResult } from '../contracts/deploy.js';
import { deployAlert, deployMessage } from '../core/deploy-message.js';
import type { DeployReport, StageOutcome, StageReport } from '../core/deploy-report.js';
import { searchAttributes } from '../temporal/names.js';
import { runLinkOf } from '../temporal/run-link.js';
import { gateSteps, hostSteps, quickSteps, onRole } from './activity-options.js';
import { trackApprovals } from './approval-gate.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';
export { approveUpdate, pendingApprovalQuery } from './deploy-signals.js';

const quick = proxyActivities<DeployActivities>(onRole('deploy', quickSteps));
const host = proxyActivities<DeployActivities>(onRole('deploy', hostSteps));
const gate = proxyActivities<DeployActivities>(onRole('deploy', gateSteps));
const alerts = proxyActivities<NotifyActivities>(onRole('deploy', quickSteps));

/**
 * The promotion as one durable run: resolve the ref, export that commit, then stage by stage:
 * (approval) → sync → build → switch → health gate → smoke. A failure after the switch rolls back
 * to the release it replaced; a failing stage stops the run, so prod is never touched after a
 * staging failure. The run id deploy-<app> with conflict policy FAIL is the app's deploy lock.
 *
 * A cancelled run (UI or CLI) still cleans up: the rollback, the release log entry, the report and
 * the notification run in non-cancellable scopes, and then the run ends as cancelled.
 */
export async function deployPipeline(input: DeployInput): Promise<DeployResult> {
  const { workflowId, runId } = workflowInfo();
  const progress = trackProgress(['plan', 'resolve', 'promotion', 'prepare']);
  const approvals = trackApprovals();
  const header = {
    app: input.app, ref: input.ref, startedBy: input.startedBy, workflowId, runId,
    ...(input.runUrl ? { runUrl: runLinkOf(input.runUrl, runId) } : {}),
    startedAt: new Date().toISOString(),
    ...(input.skipPromotionCheck ? { promotionCheck: 'skipped' as const } : {}),
  };

  let plan: DeployPlan | undefined;
  let sha: string | undefined;
  try {
    plan = await progress.run('plan', () => withSummary(quick, `plan deploy of ${input.app}`).planDeploy({ app: input.app, ...(input.stages ? { stages: input.stages } : {}) }));
    ({ sha } = await progress.run('resolve', () => withSummary(quick, `resolve ${input.app} ${input.ref}`).resolveRef({ app: input.app, ref: input.ref })));
    upsertSearchAttributes([
      { key: searchAttributes.app, value: input.app },
      { key: searchAttributes.ref, value: sha },
      { key: searchAttributes.runKind, value: 'deploy' },
    ]);
    await checkPromotion(input, plan, sha, progress);
    // The export is made here so a bad commit fails before any host is touched; the steps that use it find it by app + SHA.
    await progress.run('prepare', () => withSummary(host, `export ${input.app} ${short(sha!)}`).prepareRelease({ app: input.app, sha: sha! }));
  } catch (err) {
    // A refused promotion started nothing: like a second run refused by the lock, no report, alert or metrics line.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'NotPromoted') throw err;
    const step = progress.snapshot().find((s) => s.status === 'failed')?.step ?? 'plan';
    const report: DeployReport = {
      ...header, ...(sha ? { sha } : {}), finishedAt: new Date().toISOString(), outcome: 'failed',
      stages: (plan?.stages ?? []).map((stage) => ({ stage, outcome: 'skipped', steps: [] })),
      error: isCancellation(err) ? `cancelled during ${step}` : `${step} failed: ${innermostMessage(err)}`,
      ...(isCancellation(err) ? { cancelled: true } : {}),
    };
    // The run fails with the step's own error (callers and tests read its type); a report that cannot be written changes nothing.
    await finish(report, false).catch(() => undefined);
    throw err;
  }

  const stages: StageReport[] = [];
  let outcome: StageOutcome = 'succeeded';
  for (const stage of plan.stages) {
    const report: StageReport = { stage, outcome: 'skipped', steps: [] };
    stages.push(report);
    if (outcome !== 'succeeded') continue;
    if (cancelRequested()) {
      report.error = 'cancelled before this stage started';
      report.outcome = outcome = 'cancelled';
      continue;
    }
    upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);

    if (plan.approvalBefore.includes(stage)) {
      if (input.preApproved) {
        report.approval = { approved: true, by: input.startedBy, reason: 'pre-approved at start' };
      } else {
        progress.mark(`${stage} approval`, 'running', 'waiting: ops deploy approve');
        try {
          report.approval = await approvals.decide(stage, plan.approvalTimeoutMinutes, { ref: input.ref, sha });
        } catch (err) {
          if (!isCancellation(err)) throw err;
          progress.mark(`${stage} approval`, 'failed', 'cancelled');
          report.error = 'cancelled while waiting for approval';
          report.outcome = outcome = 'cancelled';
          continue;
        }
        progress.mark(`${stage} approval`, report.approval.approved ? 'done' : 'failed', `${report.approval.approved ? 'approved' : 'rejected'} by ${report.approval.by}`);
        if (!report.approval.approved) {
          report.outcome = outcome = 'rejected';
          continue;
        }
      }
    }
    report.outcome = outcome = await deployStage(input, stage, sha, report, progress);
  }

  const cancelled = cancelRequested();
  for (const report of stages) report.steps = progress.snapshot().filter((s) => s.step.startsWith(`${report.stage} `)).map((s) => ({ ...s, step: s.step.slice(report.stage.length + 1) }));
  const deployReport: DeployReport = { ...header, sha, finishedAt: new Date().toISOString(), outcome, stages, ...(cancelled ? { cancelled: true } : {}) };
  const path = await finish(deployReport, plan.notifySuccess);
  if (cancelled) throw new CancelledFailure(`deploy of ${input.app} ${sha.slice(0, 12)} cancelled: ${outcome}; report ${path}`);

  if (outcome !== 'succeeded') {
    const failed = stages.find((s) => s.outcome !== 'succeeded' && s.outcome !== 'skipped')!;
    // The smoke output tail is already in history (runSmoke's result, scrubbed there): the CLI prints it.
    const smokeTail = failed.smoke?.status === 'failed' ? failed.smoke.outputTail : undefined;
    throw ApplicationFailure.create({
      type: outcome === 'rejected' ? 'DeployRejected' : 'DeployFailed',
      nonRetryable: true,
      message: `${input.app} ${sha.slice(0, 12)} on ${failed.stage}: ${failed.outcome}${failed.error ? `: ${failed.error}` : ''}`,
      details: [{ outcome, report: path, stage: failed.stage, ...(smokeTail ? { smokeTail } : {}) }],
    });
  }
  return { sha, outcome, report: path };
}

type Progress = ReturnType<typeof trackProgress>;
type DeployPlan = Awaited<ReturnType<DeployActivities['planDeploy']>>;
type ReleaseEvent = 'deployed' | 'failed' | 'rolled-back' | 'rollback-failed';

/**
 * A stage receives only a SHA that passed every stage before it: the earlier stages this run
 * deploys first pass it here, the ones it skips must show a passed deploy in their release logs.
 */
async function checkPromotion(input: DeployInput, plan: DeployPlan, sha: string, progress: Progress): Promise<void> {
  // patched: a run that started before this step existed replays without it.
  const skipped = plan.promotionStages ?? [];
  if (!patched('promotion-check')) return;
  if (skipped.length === 0) progress.mark('promotion', 'skipped', 'every earlier stage is deployed first in this run');
  else if (input.skipPromotionCheck) progress.mark('promotion', 'skipped', `--skip-promotion-check: not checked against ${skipped.join(', ')}`);
  else await progress.run('promotion', () => withSummary(quick, `promotion ${input.app} ${short(sha)}`).checkPromotion({ app: input.app, sha, stages: skipped }));
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** The deploy a report is of: the app and its SHA, or the ref when it never resolved. */
function subject(report: DeployReport): string {
  return `deploy ${report.app} ${report.sha ? short(report.sha) : report.ref}`;
}

/** Whether the run was asked to stop; read in the workflow's own (root) scope. */
function cancelRequested(): boolean {
  return CancellationScope.current().consideredCancelled;
}

/** Cleanup that must finish even when the run is being cancelled: a cancel never leaves a host half-switched or a run unreported. */
function uncancellable<T>(body: () => Promise<T>): Promise<T> {
  return CancellationScope.nonCancellable(body);
}

async function deployStage(input: DeployInput, stage: string, sha: string, report: StageReport, progress: Progress): Promise<StageOutcome> {
  const at = { app: input.app, stage };
  let current = '';
  const step = <T>(name: string, body: () => Promise<T>, failure?: (result: T) => string | undefined) => {
    current = name;
    return progress.run(`${stage} ${name}`, body, failure);
  };
  const why = (err: unknown) => (isCancellation(err) ? `cancelled during ${current}` : innermostMessage(err));
  const { workflowId, runId } = workflowInfo();
  const where = `${input.app}@${stage}`;
  const unchecked = input.skipPromotionCheck ? { promotionCheck: 'skipped' as const } : {};
  const record = (event: ReleaseEvent, previous: string | null, detail?: string, prune: string[] = []) =>
    withSummary(quick, `log ${event} ${where} ${short(sha)}`).recordRelease({ ...at, sha, previous, event, by: input.startedBy, ref: input.ref, workflowId, runId, ...(detail ? { detail } : {}), ...unchecked }, prune);
  // The release log is history; failing to write it never changes how the deploy ended.
  const log = (event: ReleaseEvent, previous: string | null, detail?: string) => record(event, previous, detail).catch(() => undefined);

  let synced: { previous: string | null; rollbackTo?: string | null; redundant: string[] } | undefined;
  try {
    // The sync also reads what `current` points at, and from that the release to roll back to if anything after the switch fails.
    synced = await step('sync', () => withSummary(host, `sync ${where} ${short(sha)}`).syncRelease({ ...at, sha }));
    await step('build', () => withSummary(host, `build ${where} ${short(sha)}`).buildRelease({ ...at, sha }));
  } catch (err) {
    report.error = why(err);
    // The release still running is what this one would have replaced; unknown only when the sync never read it.
    await uncancellable(() => log('failed', synced?.previous ?? null, report.error));
    return isCancellation(err) ? 'cancelled' : 'failed';
  }
  const previous = synced.previous;
  // A sync result from before rollbackTo existed (a replayed run): the release replaced, never the sha itself.
  const rollbackTo = synced.rollbackTo !== undefined ? synced.rollbackTo : previous === sha ? null : previous;
  report.previous = previous;
  report.rollbackTo = rollbackTo;
  try {
    // Never cut short: a cancelled `up` racing the rollback's `up` could leave the new release running under the old `current`.
    await step('switch', () => uncancellable(() => withSummary(host, `switch ${where} to ${short(sha)}`).switchRelease({ ...at, sha, previous })));
    report.health = await step('health', () => withSummary(gate, `health ${where}`).checkHealth(at));
    const smoke = await step('smoke', () => withSummary(gate, `${input.smokeLevel ?? 'smoke'} ${where}`).runSmoke({ ...at, sha, level: input.smokeLevel ?? 'smoke' }), (r) => (r.status === 'failed' ? `smoke tests failed (exit ${r.exitCode})` : undefined));
    report.smoke = smoke;
    if (smoke.status === 'failed') throw ApplicationFailure.nonRetryable(`smoke tests failed (exit ${smoke.exitCode})`, 'SmokeFailed');
    // Logs the deploy and removes the releases it made redundant; a failure here shows on the step only.
    await step('record', () => uncancellable(() => record('deployed', previous, undefined, synced.redundant))).catch(() => undefined);
    return 'succeeded';
  } catch (err) {
    report.error = why(err);
  }
  return uncancellable(() => rollBack(report, rollbackTo, step, log, at));
}

type Step = <T>(name: string, body: () => Promise<T>) => Promise<T>;
type Log = (event: ReleaseEvent, previous: string | null, detail?: string) => Promise<unknown>;

/** Back to the release the stage replaced (for a redeploy, the last healthy one before it), which must pass the health gate again. */
async function rollBack(report: StageReport, previous: string | null, step: Step, log: Log, at: { app: string; stage: string }): Promise<StageOutcome> {
  if (!previous) {
    await log('rollback-failed', null, `${report.error}; no previous release to roll back to`);
    report.error = `${report.error}; no previous release to roll back to`;
    return 'rollback-failed';
  }
  try {
    await step('rollback switch', () => withSummary(host, `roll back ${at.app}@${at.stage} to ${short(previous)}`).switchRelease({ ...at, sha: previous, automaticRollback: true }));
    await step('rollback health', () => withSummary(gate, `health ${at.app}@${at.stage}`).checkHealth(at));
    await log('rolled-back', previous, report.error);
    return 'rolled-back';
  } catch (err) {
    report.error = `${report.error}; rollback failed: ${innermostMessage(err)}`;
    await log('rollback-failed', previous, report.error);
    return 'rollback-failed';
  }
}

/** Writes the report and notifies, even while the run is being cancelled: they say how it ended. */
function finish(report: DeployReport, notifySuccess: boolean): Promise<string> {
  return uncancellable(async () => {
    const { path } = await withSummary(quick, `report of ${subject(report)}`).writeDeployReport(report);
    if (report.outcome !== 'succeeded' || report.cancelled || notifySuccess) await notify(report);
    return path;
  });
}

async function notify(report: DeployReport): Promise<void> {
  const alert = deployAlert(report);
  try {
    // Failures are alerts (rate limited, email when Slack fails); successes and rejections are news.
    if (alert) await withSummary(alerts, `alert ${alert.kind} ${alert.subject}`).sendAlert(alert);
    else await withSummary(quick, `news of ${subject(report)}`).postToSlack({ text: deployMessage(report) });
  } catch {
    // A notification failure never fails the deploy; the report on disk still says what happened.
  }
}
