import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { NotifyActivities } from '../activities/notify/notify-activities.js';
import { rpoAlerts } from '../core/alert-rules.js';
import type { HealthStatus } from '../core/backup-health.js';
import { searchAttributes } from '../temporal/names.js';
import { quickSteps } from './activity-options.js';

const quick = proxyActivities<BackupActivities & NotifyActivities>(quickSteps);

/**
 * Runs on its own schedule, independent of the nightly chain: if the chain never started (the
 * schedule paused, the worker down at 02:00), this still notices that no valid dump is younger than
 * the RPO limit and alerts. The alert's rate limit keeps an hourly watchdog from repeating itself.
 */
export async function backupWatchdog(): Promise<{ health: HealthStatus; alerts: number }> {
  upsertSearchAttributes([{ key: searchAttributes.runKind, value: 'watchdog' }]);
  const health = await quick.evaluateBackupHealth();
  const alerts = rpoAlerts(health);
  for (const alert of alerts) await quick.sendAlert(alert);
  return { health: health.status, alerts: alerts.length };
}
