import { ActivityFailure, ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DeployActivities } from '../activities/deploy/deploy-activities.js';
import type { RollbackOutcome, RollbackReport } from '../core/rollback-report.js';
import { rollbackTarget } from '../core/rollback-target.js';
import { searchAttributes } from '../temporal/names.js';
import { runLinkOf } from '../temporal/run-link.js';
import { onRole, quickSteps } from './activity-options.js';
import { rollBack, short, type RollbackEvent } from './deploy-stage.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<DeployActivities>(onRole('deploy', quickSteps));

export interface RollbackInput {
  app: string;
  stage: string;
  /** One host of a stage of several (`ops rollback --host`, or each in turn); none for the stage's first, its only one with `host:`. */
  host?: string;
  /** A SHA or a unique prefix of 7+ characters. Default: the last release healthy on the stage, from its release log. */
  to?: string;
  startedBy: string;
  /** The Web UI page of the workflow id; the run adds its own run id. */
  runUrl?: string;
}

export interface RollbackResult {
  from: string | null;
  to: string;
  report: string;
}

/** What a failed rollback carries for the CLI: whether it changed anything, and its report. */
export interface RollbackFailureDetails {
  outcome: Exclude<RollbackOutcome, 'rolled-back'>;
  report?: string;
}

/**
 * `ops rollback`: point a stage back at an earlier release that is still on the host, start it,
 * and pass the health gate. Runs under the app's deploy id, so it never races a deploy. Writes its
 * own report (rollback-<app>-<stamp>.md), never the app's deploy report.
 */
export async function rollbackStage(input: RollbackInput): Promise<RollbackResult> {
  const { workflowId, runId } = workflowInfo();
  const progress = trackProgress(['find release', 'switch', 'health']);
  upsertSearchAttributes([
    { key: searchAttributes.app, value: input.app },
    { key: searchAttributes.stage, value: input.stage },
    { key: searchAttributes.runKind, value: 'rollback' },
  ]);
  const at = { app: input.app, stage: input.stage };
  const on = { ...at, ...(input.host ? { host: input.host } : {}) };
  const where = `${input.app}@${input.stage}${input.host ? ` on ${input.host}` : ''}`;
  const started = {
    ...at, startedBy: input.startedBy, workflowId, runId,
    ...(input.runUrl ? { runUrl: runLinkOf(input.runUrl, runId) } : {}),
    startedAt: new Date().toISOString(),
  };
  let from: string | null = null;
  let to: string | undefined;
  // The report is history; failing to write it never changes how the rollback ended.
  const writeReport = (outcome: RollbackOutcome, error?: string) => {
    const report: RollbackReport = { ...started, from, ...(to ? { to } : {}), finishedAt: new Date().toISOString(), outcome, ...(error ? { error } : {}), steps: progress.snapshot() };
    return withSummary(quick, `rollback report ${where}`).writeRollbackReport(report).then(({ path }) => path, () => undefined);
  };
  const fail = async (type: string, message: string, outcome: RollbackFailureDetails['outcome'], error: string): Promise<never> => {
    const report = await writeReport(outcome, error);
    const details: RollbackFailureDetails = { outcome, ...(report ? { report } : {}) };
    throw ApplicationFailure.create({ type, nonRetryable: true, message, details: [details] });
  };

  try {
    ({ from, to } = await progress.run('find release', async () => {
      const state = await withSummary(quick, `release state ${where}`).readReleaseState(on);
      const found = rollbackTarget(state, at, input.to);
      if ('problem' in found) throw ApplicationFailure.nonRetryable(found.problem, 'PreconditionFailed');
      return { from: state.current, to: found.sha };
    }));
  } catch (err) {
    // No target is the request's problem (exit 2); a host that could not be read is the world's.
    const cause = innermostMessage(err);
    if (!(err instanceof ActivityFailure)) return fail('PreconditionFailed', cause, 'refused', cause);
    return fail('RollbackFailed', `${input.app} on ${input.stage}: rollback failed before any change, the release state could not be read: ${cause}`, 'failed', cause);
  }
  const target = to!;
  upsertSearchAttributes([{ key: searchAttributes.ref, value: target }]);
  const record = (event: RollbackEvent, detail?: string) =>
    withSummary(quick, `log ${event} ${where} ${short(target)}`).recordRelease({ ...at, sha: target, previous: from, event, by: input.startedBy, workflowId, runId, ...(detail ? { detail } : {}) }, [], input.host);
  const back = await rollBack({ ...on, to: target, move: 'manual-rollback', step: (name, body) => progress.run(name, body), log: record });
  if (back.outcome !== 'rolled-back') {
    return fail('RollbackFailed', `${input.app} on ${input.stage}: rollback to ${short(target)} failed: ${back.cause}`, back.outcome, back.cause);
  }
  const report = (await writeReport('rolled-back')) ?? '(report not written)';
  return { from, to: target, report };
}
