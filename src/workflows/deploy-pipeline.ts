import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, isCancellation, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DeployActivities } from '../activities/deploy/deploy-activities.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import type { DeployInput, DeployResult } from '../contracts/deploy.js';
import { deployAlert, deployMessage } from '../core/deploy-message.js';
import type { DeployReport, StageOutcome, StageReport } from '../core/deploy-report.js';
import { searchAttributes } from '../temporal/names.js';
import { runLinkOf } from '../temporal/run-link.js';
import { hostSteps, onRole, quickSteps } from './activity-options.js';
import { trackApprovals } from './approval-gate.js';
import { migratedThenFailed, offerDatabaseRestore } from './database-restore-gate.js';
import { deployStage, short, stageSteps, uncancellable, type Progress, type StageRelease } from './deploy-stage.js';
import type { ApprovalDecision } from './deploy-signals.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';
export { approveUpdate, pendingApprovalQuery } from './deploy-signals.js';

const quick = proxyActivities<DeployActivities>(onRole('deploy', quickSteps));
const host = proxyActivities<DeployActivities>(onRole('deploy', hostSteps));
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
    plan = await progress.run('plan', () => withSummary(quick, `plan deploy of ${input.app}`).planDeploy({ app: input.app, ...(input.stages ? { stages: input.stages } : {}), ...(input.migrate ? { migrate: true } : {}) }));
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

  const { approvalBefore, approvalTimeoutMinutes } = plan;
  // build.once: the run's first stage builds; the later ones start what it built.
  const release: StageRelease = { ...input, sha, ...(plan.buildOnce ? { buildStage: plan.stages[0] } : {}), ...(plan.migration ? { migration: plan.migration } : {}), ...(plan.hosts ? { hosts: plan.hosts } : {}) };
  /** A stage the run goes into: the approval gate before it, if any, then the stage's runbook. */
  const enter = async (stage: string): Promise<StageReport> => {
    if (cancelRequested()) return { stage, outcome: 'cancelled', steps: [], error: 'cancelled before this stage started' };
    upsertSearchAttributes([{ key: searchAttributes.stage, value: stage }]);
    if (!approvalBefore.includes(stage)) return deployStage(release, stage, progress);
    if (input.preApproved) return deployStage(release, stage, progress, { approved: true, by: input.startedBy, reason: 'pre-approved at start' });
    progress.mark(`${stage} approval`, 'running', 'waiting: ops deploy approve');
    let approval: ApprovalDecision;
    try {
      approval = await approvals.decide(stage, approvalTimeoutMinutes, { ref: input.ref, sha });
    } catch (err) {
      if (!isCancellation(err)) throw err;
      progress.mark(`${stage} approval`, 'failed', 'cancelled');
      return { stage, outcome: 'cancelled', steps: stageSteps(progress, stage), error: 'cancelled while waiting for approval' };
    }
    progress.mark(`${stage} approval`, approval.approved ? 'done' : 'failed', `${approval.approved ? 'approved' : 'rejected'} by ${approval.by}`);
    if (!approval.approved) return { stage, outcome: 'rejected', steps: stageSteps(progress, stage), approval };
    return deployStage(release, stage, progress, approval);
  };

  // A stage runs only when every stage before it succeeded: prod is never touched after a staging failure.
  const stages: StageReport[] = [];
  let outcome: StageOutcome = 'succeeded';
  for (const stage of plan.stages) {
    const report: StageReport = outcome === 'succeeded' ? await enter(stage) : { stage, outcome: 'skipped', steps: [] };
    if (migratedThenFailed(report) && !cancelRequested()) {
      await offerDatabaseRestore(report, { app: input.app, ref: input.ref, sha }, approvals, progress, approvalTimeoutMinutes);
      report.steps = stageSteps(progress, stage);
    }
    stages.push(report);
    if (outcome === 'succeeded') outcome = report.outcome;
  }

  const cancelled = cancelRequested();
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

type DeployPlan = Awaited<ReturnType<DeployActivities['planDeploy']>>;

/**
 * A stage receives only a SHA that passed every stage before it: the earlier stages this run
 * deploys first pass it here, the ones it skips must show a passed deploy in their release logs.
 */
async function checkPromotion(input: DeployInput, plan: DeployPlan, sha: string, progress: Progress): Promise<void> {
  const skipped = plan.promotionStages;
  if (skipped.length === 0) progress.mark('promotion', 'skipped', 'every earlier stage is deployed first in this run');
  else if (input.skipPromotionCheck) progress.mark('promotion', 'skipped', `--skip-promotion-check: not checked against ${skipped.join(', ')}`);
  else await progress.run('promotion', () => withSummary(quick, `promotion ${input.app} ${short(sha)}`).checkPromotion({ app: input.app, sha, stages: skipped }));
}

/** The deploy a report is of: the app and its SHA, or the ref when it never resolved. */
function subject(report: DeployReport): string {
  return `deploy ${report.app} ${report.sha ? short(report.sha) : report.ref}`;
}

/** Whether the run was asked to stop; read in the workflow's own (root) scope. */
function cancelRequested(): boolean {
  return CancellationScope.current().consideredCancelled;
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
