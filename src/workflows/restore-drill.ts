import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DrillActivities } from '../activities/drill/drill-activities.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import { stampOf } from '../core/backup-id.js';
import type { DrillRecord } from '../core/backup-health.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<DrillActivities & NotifyActivities>(quickSteps);
const long = proxyActivities<DrillActivities>(longSteps);

export interface RestoreDrillInput {
  target?: string;
  pick?: 'random' | 'latest';
  /** Pick among backups of the last N days (default 30). */
  windowDays?: number;
}

/**
 * The monthly restore drill: pick a backup (at random within the window, or the latest), fetch it
 * from the OFFSITE copy, restore it into a scratch database and run the full checks, measure the
 * restore time against earlier drills, and record the result. The scratch database is dropped by
 * the restore step itself, also on failure.
 */
export async function restoreDrill(input: RestoreDrillInput = {}): Promise<DrillRecord> {
  const progress = trackProgress(['pick', 'fetch offsite copy', 'restore and check', 'record']);
  const startedAt = new Date().toISOString();
  const drillId = `drill-${stampOf(new Date())}-${workflowInfo().runId.slice(0, 8)}`;
  upsertSearchAttributes([{ key: searchAttributes.runKind, value: 'restore-drill' }]);

  // Math.random in a workflow is seeded by Temporal: the pick is random, yet replays the same.
  const picked = await progress.run('pick', () =>
    quick.pickDrillBackup({ ...(input.target ? { target: input.target } : {}), pick: input.pick ?? 'random', windowDays: input.windowDays ?? 30, randomValue: Math.random() }),
  );
  upsertSearchAttributes([{ key: searchAttributes.target, value: [picked.target] }]);

  let record: DrillRecord;
  try {
    const copy = await progress.run('fetch offsite copy', () => long.fetchOffsiteCopy({ backupId: picked.backupId, drillId }));
    const outcome = await progress.run('restore and check', () => long.restoreDrillCopy(copy));
    const rto = outcome.restoreSeconds !== undefined ? await quick.compareWithEarlierDrills({ target: picked.target, restoreSeconds: outcome.restoreSeconds }) : undefined;
    record = {
      id: drillId, target: picked.target, backupId: picked.backupId, status: outcome.reasons.length === 0 ? 'passed' : 'failed',
      startedAt, finishedAt: new Date().toISOString(), reasons: outcome.reasons,
      ...(outcome.restoreSeconds !== undefined ? { restoreSeconds: outcome.restoreSeconds } : {}),
      ...(rto ? { rto } : {}),
    };
  } catch (err) {
    record = { id: drillId, target: picked.target, backupId: picked.backupId, status: 'failed', startedAt, finishedAt: new Date().toISOString(), reasons: [innermostMessage(err)] };
  } finally {
    await quick.removeDrillWorkDir({ drillId });
  }
  await progress.run('record', () => quick.recordDrill(record));
  if (record.status === 'failed') {
    await quick.sendAlert({ kind: 'drill-failed', subject: picked.target, cause: `${picked.backupId}: ${record.reasons.join('; ')}` }).catch(() => undefined);
    throw ApplicationFailure.create({ type: 'DrillFailed', nonRetryable: true, message: `restore drill of ${picked.backupId} failed: ${record.reasons.join('; ')}`, details: [record] });
  }
  return record;
}
