import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import type { RunLinkActivities } from '../activities/notify/run-link.js';
import type { ScheduleRunActivities } from '../activities/schedules/schedule-run-activities.js';
import { rpoAlerts } from '../core/alert-rules.js';
import type { HealthStatus } from '../core/backup-health.js';
import { missedRunAlerts } from '../core/missed-runs.js';
import { searchAttributes } from '../temporal/names.js';
import { quickSteps, onRole } from './activity-options.js';
import { withSummary } from './with-summary.js';

const quick = proxyActivities<BackupActivities & NotifyActivities & RunLinkActivities & ScheduleRunActivities>(onRole('backup', quickSteps));

export interface WatchdogResult {
  health: HealthStatus;
  /** RPO and missed-run alerts raised (sent or rate limited) */
  alerts: number;
}

/**
 * Runs on its own schedule, independent of the nightly chain: if the chain never started (the
 * schedule paused, the worker down at 02:00), this still notices that no valid dump is younger than
 * the RPO limit and alerts. It also alerts on runs this installation's schedules skipped or missed
 * since its previous run. The alert's rate limit keeps an hourly watchdog from repeating itself.
 */
export async function backupWatchdog(): Promise<WatchdogResult> {
  upsertSearchAttributes([{ key: searchAttributes.runKind, value: 'watchdog' }]);
  const runUrl = await withSummary(quick, 'link to this run').runLink();
  const health = await withSummary(quick, 'backup health').evaluateBackupHealth();
  // RPO alerts go out first: a Temporal hiccup while describing schedules must not hold them back.
  const rpo = rpoAlerts(health, runUrl);
  for (const alert of rpo) await withSummary(quick, `alert ${alert.kind} ${alert.subject}`).sendAlert(alert);

  const { previous, current } = await withSummary(quick, 'schedule runs').surveyScheduleRuns();
  const missed = missedRunAlerts(previous, current, runUrl);
  for (const alert of missed.alerts) await withSummary(quick, `alert ${alert.kind} ${alert.subject}`).sendAlert(alert);
  await withSummary(quick, 'record schedule runs').recordScheduleRuns(missed.next);
  return { health: health.status, alerts: rpo.length + missed.alerts.length };
}
