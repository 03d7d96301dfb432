import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DeployActivities } from '../activities/deploy/deploy-activities.js';
import { previousRelease } from '../core/release-log.js';
import { searchAttributes } from '../temporal/names.js';
import { gateSteps, hostSteps, quickSteps } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<DeployActivities>(quickSteps);
const host = proxyActivities<DeployActivities>(hostSteps);
const gate = proxyActivities<DeployActivities>(gateSteps);

export interface RollbackInput {
  app: string;
  stage: string;
  /** Default: the release that `current` replaced, from the host's release log. */
  to?: string;
  startedBy: string;
}

/**
 * `ops rollback`: point a stage back at an earlier release that is still on the host, start it,
 * and pass the health gate. Runs under the app's deploy id, so it never races a deploy.
 */
export async function rollbackStage(input: RollbackInput): Promise<{ from: string | null; to: string }> {
  const progress = trackProgress(['find release', 'switch', 'health']);
  upsertSearchAttributes([
    { key: searchAttributes.app, value: input.app },
    { key: searchAttributes.stage, value: input.stage },
    { key: searchAttributes.runKind, value: 'rollback' },
  ]);
  const at = { app: input.app, stage: input.stage };
  const where = `${input.app}@${input.stage}`;
  const { from, to } = await progress.run('find release', async () => {
    const { sha: current } = await withSummary(quick, `current release ${where}`).currentRelease(at);
    const to = input.to ?? previousRelease(await withSummary(quick, `release log ${where}`).readReleaseLog(at), current);
    if (!to) throw ApplicationFailure.nonRetryable(`no earlier release of ${input.app} on ${input.stage} to roll back to; name one with --to`, 'PreconditionFailed');
    return { from: current, to };
  });
  upsertSearchAttributes([{ key: searchAttributes.ref, value: to }]);
  const record = (event: 'manual-rollback' | 'rollback-failed', detail?: string) =>
    withSummary(quick, `log ${event} ${where} ${to.slice(0, 12)}`).recordRelease({ ...at, sha: to, previous: from, event, by: input.startedBy, workflowId: workflowInfo().workflowId, runId: workflowInfo().runId, ...(detail ? { detail } : {}) });
  try {
    await progress.run('switch', () => withSummary(host, `switch ${where} to ${to.slice(0, 12)}`).switchRelease({ ...at, sha: to }));
    await progress.run('health', () => withSummary(gate, `health ${where}`).checkHealth(at));
  } catch (err) {
    await record('rollback-failed', innermostMessage(err));
    throw ApplicationFailure.create({ type: 'RollbackFailed', nonRetryable: true, message: `${input.app} on ${input.stage}: rollback to ${to.slice(0, 12)} failed: ${innermostMessage(err)}` });
  }
  await record('manual-rollback');
  return { from, to };
}
