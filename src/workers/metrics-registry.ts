import { Counter, Gauge, Registry } from 'prom-client';
import type { BackupMetrics, TargetMetrics } from '../core/backup-metrics.js';
import type { DeployMetrics } from '../core/deploy-metrics.js';

export interface OpsFigures {
  backup: BackupMetrics;
  deploy: DeployMetrics;
  /** given-up webhook deliveries per event and receiver origin */
  webhookFailures: Array<{ event: string; webhook: string; count: number }>;
}

type Sample<L extends string> = { labels: Record<L, string>; value: number };

/** The label of the backup_health_status series that carries the worst status of all targets. */
export const ALL_TARGETS = '_all';

/**
 * Every metric the endpoint serves, filled from one set of figures per scrape. `figures` is called
 * by each metric's collect; the caller shares one computation between them.
 */
export function createMetricsRegistry(prefix: string, figures: () => Promise<OpsFigures>): Registry {
  const registry = new Registry();
  const define = <L extends string>(kind: 'gauge' | 'counter', name: string, help: string, labelNames: L[], samples: (f: OpsFigures) => Array<Sample<L>>) => {
    const Metric = kind === 'gauge' ? Gauge : Counter;
    new Metric<L>({
      name: `${prefix}${name}`,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const list = samples(await figures());
        // Reset and refill without an await between them: a concurrent scrape never sees half, and a counter is never added to twice.
        this.reset();
        for (const { labels, value } of list) {
          if (this instanceof Gauge) this.set(labels, value);
          else this.inc(labels, value);
        }
      },
    });
  };
  const perTarget = (name: string, help: string, pick: (m: TargetMetrics) => number | undefined) =>
    define('gauge', name, help, ['target'], (f) =>
      f.backup.targets.flatMap((m) => {
        const value = pick(m);
        return value === undefined ? [] : [{ labels: { target: m.target }, value }];
      }),
    );

  define('gauge', 'backup_health_status', `Backup health per configured target: 0 OK, 1 WARN, 2 FAIL; target="${ALL_TARGETS}" is the worst of them`, ['target'], (f) => [
    ...f.backup.targets.map((m) => ({ labels: { target: m.target }, value: m.healthStatus })),
    { labels: { target: ALL_TARGETS }, value: f.backup.overallStatus },
  ]);
  perTarget('last_db_dump_age_minutes', 'Minutes since the newest valid backup (one whose verify did not fail) finished', (m) => m.lastDumpAgeMinutes);
  perTarget('last_verify_restore_age_hours', 'Hours since the newest passed verify-restore finished', (m) => m.lastVerifyAgeHours);
  perTarget('backup_success_rate_7d', 'Backup runs that dumped and passed verify / runs whose dump or verify reached an outcome, over the last 7 days (0..1)', (m) => m.backupSuccessRate7d);
  perTarget('verify_success_rate_7d', 'Passed / finished verifies over the last 7 days (0..1)', (m) => m.verifySuccessRate7d);
  perTarget('restore_duration_seconds_last', 'Restore duration of the newest passed verify-restore or restore drill', (m) => m.lastRestoreSeconds);
  perTarget('restore_rto_seconds_last', 'RTO of the newest `ops restore` that passed: from its start until the restored copy passed its checks', (m) => m.lastRtoSeconds);
  perTarget('consecutive_verify_failures', 'Latest verifies of the newest backups failed in a row since the last passed one, pruned backups included', (m) => m.consecutiveVerifyFailures);
  perTarget('backup_bytes_last', 'Size of the newest backup', (m) => m.lastBackupBytes);
  define('gauge', 'backup_step_duration_seconds', 'Duration of the newest dump and of the newest verify that reached a verdict', ['target', 'step'], (f) =>
    f.backup.targets.flatMap((m) => [
      ...(m.dumpSeconds === undefined ? [] : [{ labels: { target: m.target, step: 'dump' }, value: m.dumpSeconds }]),
      ...(m.verifySeconds === undefined ? [] : [{ labels: { target: m.target, step: 'verify' }, value: m.verifySeconds }]),
    ]),
  );
  define('gauge', 'backup_storage_bytes', 'Bytes of all backups of the target in the local repository, targets no longer configured included', ['target'], (f) =>
    f.backup.storage.map((s) => ({ labels: { target: s.target }, value: s.bytes })),
  );
  define('gauge', 'backups_stored', 'Complete backups of the target in the local repository', ['target'], (f) =>
    f.backup.storage.map((s) => ({ labels: { target: s.target }, value: s.backups })),
  );

  define('counter', 'deploys_total', 'Finished deploys by outcome, counted from the append-only deploy log', ['app', 'outcome'], (f) =>
    f.deploy.deploys.map((d) => ({ labels: { app: d.app, outcome: d.outcome }, value: d.count })),
  );
  define('gauge', 'deploy_duration_seconds_last', 'Duration of the newest deploy of the app', ['app'], (f) =>
    f.deploy.lastDurationSeconds.map((d) => ({ labels: { app: d.app }, value: d.seconds })),
  );
  define('gauge', 'deploy_step_duration_seconds_last', 'Duration of the newest run of each deploy step', ['app', 'stage', 'step'], (f) =>
    f.deploy.lastStepSeconds.map((s) => ({ labels: { app: s.app, stage: s.stage, step: s.step }, value: s.seconds })),
  );
  define('counter', 'webhook_failures_total', 'Webhook deliveries given up after their retries, by event and receiver origin', ['event', 'webhook'], (f) =>
    f.webhookFailures.map((w) => ({ labels: { event: w.event, webhook: w.webhook }, value: w.count })),
  );
  return registry;
}
