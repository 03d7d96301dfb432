import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createBackupActivities } from '../activities/backup/backup-activities.js';
import { createDeployActivities } from '../activities/deploy/deploy-activities.js';
import { createDrillActivities } from '../activities/drill/drill-activities.js';
import { opsFailureInterceptor } from '../activities/failure-interceptor.js';
import { createNotifyActivities } from '../activities/notify/notify-activities.js';
import { createRunLinkActivities } from '../activities/notify/run-link.js';
import { alertsOffNotice } from '../activities/notify/send-alert.js';
import { BackupRepository } from '../records/backup-repository.js';
import { createRestoreActivities } from '../activities/restore/restore-activities.js';
import { createFilesRestoreActivities } from '../activities/restore/restore-files.js';
import { createScheduleRunActivities } from '../activities/schedules/schedule-run-activities.js';
import { dropStaleVerifyDatabases } from '../activities/verify/drop-stale-verify-databases.js';
import type { OpsConfig } from '../config/load-config.js';
import { describeError } from '../core/errors.js';
import { removeAbandonedPartials } from './abandoned-partials.js';
import { buildWorkflowBundle } from './prebuilt-bundle.js';

export { WORKFLOWS_PATH } from './workflows-path.js';

export interface OpsWorkerOptions {
  config: OpsConfig;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Base URL of the Temporal Web UI: alerts of scheduled runs link to their run with it. */
  uiUrl?: string;
  /** A prebuilt bundle (tests build one per file); otherwise the workflows are bundled at start, in a child process. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  log?: (line: string) => void;
  /** How long running activities may finish after a shutdown before they are cancelled (default 0: at once). */
  shutdownGraceTime?: number;
  /** Aborting it during start-up stops building the workflow bundle (a stop signal came). */
  startUpSignal?: AbortSignal;
  /** How the worker names itself in history (default the SDK's pid@host). */
  identity?: string;
}

/**
 * A worker runs every ops workflow and activity on one task queue. Before polling it clears what
 * a dead predecessor may have left: partial backup directories (of targets no backup is running
 * for) and stale verify_* databases; and
 * it says so when alerts are off.
 */
export async function createOpsWorker(options: OpsWorkerOptions): Promise<Worker> {
  const { config, log = () => undefined } = options;
  // One client on the worker's own connection: the clean-up asks which backups run, the watchdog reads the schedules.
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  await cleanUpLeftovers(config, client, log);
  const alertsOff = alertsOffNotice(config);
  if (alertsOff) log(alertsOff);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.identity ? { identity: options.identity } : {}),
    workflowBundle: options.workflowBundle ?? { codePath: await buildWorkflowBundle(config.stateDir, options.startUpSignal) },
    activities: {
      ...createBackupActivities(config),
      ...createDeployActivities(config),
      ...createDrillActivities(config),
      ...createNotifyActivities(config),
      ...createRunLinkActivities(options.uiUrl),
      ...createRestoreActivities(config),
      ...createFilesRestoreActivities(config),
      ...createScheduleRunActivities({ config, schedules: client.schedule, taskQueue: options.taskQueue, log }),
    },
    interceptors: { activity: [opsFailureInterceptor] },
    maxConcurrentActivityTaskExecutions: Math.max(4, config.backup.concurrency * 2),
    // Heartbeats carry cancellation back to a running step; the SDK would otherwise batch them for
    // up to 80% of the heartbeat timeout (16 s), so a cancel in the UI would take that long to land.
    maxHeartbeatThrottleInterval: '2 seconds',
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
  });
}

async function cleanUpLeftovers(config: OpsConfig, client: Client, log: (line: string) => void): Promise<void> {
  const partials = await removeAbandonedPartials(new BackupRepository(config.repository), client);
  if (partials.length > 0) log(`removed partial backups left by an interrupted run: ${partials.join(', ')}`);
  try {
    const dropped = await dropStaleVerifyDatabases(config);
    if (dropped.length > 0) log(`dropped verify databases left by dead attempts: ${dropped.join(', ')}`);
  } catch (err) {
    log(`could not check for stale verify databases: ${describeError(err)}`);
  }
}
