import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { DeployActivities } from '../activities/deploy/deploy-activities.js';
import type { PruneInput, PruneResult } from '../activities/deploy/prune-releases.js';
import { searchAttributes } from '../temporal/names.js';
import { onRole, quickSteps } from './activity-options.js';
import { withSummary } from './with-summary.js';

const quick = proxyActivities<DeployActivities>(onRole('deploy', quickSteps));

/**
 * `ops prune`: removes a stage's old release dirs on demand, by the rule a deploy prunes with.
 * Runs under the app's deploy id, as a rollback does: while it runs no deploy can sync a release
 * or move `current`, so the dirs it decided on are still the ones to remove.
 */
export async function pruneStage(input: PruneInput): Promise<PruneResult> {
  upsertSearchAttributes([
    { key: searchAttributes.app, value: input.app },
    { key: searchAttributes.stage, value: input.stage },
    { key: searchAttributes.runKind, value: 'prune' },
  ]);
  return withSummary(quick, `${input.dryRun ? 'list' : 'remove'} old releases ${input.app}@${input.stage}`).pruneReleases(input);
}
