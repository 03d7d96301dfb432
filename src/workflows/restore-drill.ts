import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DrillActivities } from '../activities/drill/drill-activities.js';
import type { DrillPick } from '../contracts/drill.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import type { RunLinkActivities } from '../activities/notify/run-link.js';
import { stampOf } from '../core/backup-id.js';
import type { DrillRecord } from '../core/backup-health.js';
import { ALL_TARGETS } from '../core/drill-selection.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps, onRole } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<DrillActivities & NotifyActivities & RunLinkActivities>(onRole('backup', quickSteps));
const long = proxyActivities<DrillActivities>(onRole('backup', longSteps));

export interface RestoreDrillInput {
  target?: string;
  pick?: 'random' | 'latest';
  /** Pick among backups of the last N days (default 30). */
  windowDays?: number;
  /** Fetch from this offsite destination (its URL as in backup.offsite); default the first that has the copy. */
  from?: string;
}

/**
 * The monthly restore drill: pick a backup (at random within the window, or the latest), fetch it
 * from the OFFSITE copy, restore it into a scratch database and run the full checks, measure the
 * restore time against earlier drills, and record the result. The scratch database is dropped by
 * the restore step itself, also on failure. A drill that finds no backup to pick is a recorded,
 * reported and alerted FAIL like any other.
 */
export async function restoreDrill(input: RestoreDrillInput = {}): Promise<DrillRecord> {
  const progress = trackProgress(['pick', 'fetch offsite copy', 'restore and check', 'record']);
  const startedAt = new Date().toISOString();
  const drillId = `drill-${stampOf(new Date())}-${workflowInfo().runId.slice(0, 8)}`;
  upsertSearchAttributes([{ key: searchAttributes.runKind, value: 'restore-drill' }]);

  const runUrl = await withSummary(quick, 'link to this run').runLink();

  let picked: DrillPick | undefined;
  let record: DrillRecord;
  try {
    picked = await progress.run('pick', () => pickBackup(input));
    const { target, backupId } = picked;
    upsertSearchAttributes([{ key: searchAttributes.target, value: [target] }]);
    await progress.run('fetch offsite copy', () => withSummary(long, `fetch offsite copy of ${backupId}`).fetchOffsiteCopy({ backupId, drillId, ...(input.from !== undefined ? { from: input.from } : {}) }));
    const outcome = await progress.run('restore and check', () => withSummary(long, `restore and check ${backupId}`).restoreDrillCopy({ backupId, drillId }), (o) => (o.reasons.length > 0 ? o.reasons.join('; ') : undefined));
    const rto = outcome.restoreSeconds !== undefined ? await withSummary(quick, `restore time of ${target}`).compareWithEarlierDrills({ target, restoreSeconds: outcome.restoreSeconds }) : undefined;
    record = {
      id: drillId, target, backupId, status: outcome.reasons.length === 0 ? 'passed' : 'failed',
      startedAt, finishedAt: new Date().toISOString(), reasons: outcome.reasons,
      ...(outcome.restoreSeconds !== undefined ? { restoreSeconds: outcome.restoreSeconds } : {}),
      ...(rto ? { rto } : {}),
    };
  } catch (err) {
    if (!picked) {
      progress.mark('fetch offsite copy', 'skipped');
      progress.mark('restore and check', 'skipped');
      if (input.target) upsertSearchAttributes([{ key: searchAttributes.target, value: [input.target] }]);
    }
    record = {
      id: drillId, target: picked?.target ?? input.target ?? ALL_TARGETS, ...(picked ? { backupId: picked.backupId } : {}), status: 'failed',
      startedAt, finishedAt: new Date().toISOString(), reasons: [innermostMessage(err)],
    };
  } finally {
    if (picked) await withSummary(quick, `remove work dir of ${drillId}`).removeDrillWorkDir({ drillId });
  }
  await progress.run('record', () => withSummary(quick, `record ${record.id} of ${record.target}`).recordDrill(record));
  if (record.status === 'failed') {
    const reasons = record.reasons.join('; ');
    const cause = record.backupId ? `${record.backupId}: ${reasons}` : reasons;
    await withSummary(quick, `alert drill-failed ${record.target}`).sendAlert({ kind: 'drill-failed', subject: record.target, cause, ...(runUrl ? { runUrl } : {}) }).catch(() => undefined);
    throw ApplicationFailure.create({ type: 'DrillFailed', nonRetryable: true, message: `restore drill of ${record.backupId ?? record.target} failed: ${reasons}`, details: [record] });
  }
  return record;
}

/** The backup to drill; none qualifying fails the step with the reason (e.g. "no backups of crm-db in the last 30 days"). */
async function pickBackup(input: RestoreDrillInput): Promise<DrillPick> {
  // Math.random in a workflow is seeded by Temporal: the pick is random, yet replays the same.
  const pick = await withSummary(quick, `pick a backup of ${input.target ?? 'any target'} (${input.pick ?? 'random'})`).pickDrillBackup({ ...(input.target ? { target: input.target } : {}), pick: input.pick ?? 'random', windowDays: input.windowDays ?? 30, randomValue: Math.random() });
  if ('none' in pick) throw ApplicationFailure.create({ type: 'NoBackupToDrill', nonRetryable: true, message: pick.none });
  return pick;
}
