import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import { createBackupActivities } from '../activities/backup/backup-activities.js';
import { createDeployActivities } from '../activities/deploy/deploy-activities.js';
import { createDeployLockActivities } from '../activities/deploy/deploy-lock-activities.js';
import { createDrillActivities } from '../activities/drill/drill-activities.js';
import { opsFailureInterceptor } from '../activities/failure-interceptor.js';
import { createNotifyActivities } from '../activities/notify/notify-activities.js';
import { createRunLinkActivities } from '../activities/notify/run-link.js';
import { alertsOffNotice } from '../activities/notify/send-alert.js';
import { withWebhooks } from '../activities/notify/webhook-taps.js';
import { BackupRepository } from '../records/backup-repository.js';
import { createRestoreActivities } from '../activities/restore/restore-activities.js';
import { createFilesRestoreActivities } from '../activities/restore/restore-files.js';
import { createScheduleRunActivities } from '../activities/schedules/schedule-run-activities.js';
import { dropStaleVerifyDatabases } from '../activities/verify/drop-stale-verify-databases.js';
import type { OpsConfig } from '../config/load-config.js';
import { describeError } from '../core/errors.js';
import { activityRolesOf, roleTaskQueue, type ActivityRole, type WorkerRole } from '../temporal/names.js';
import { removeAbandonedPartials } from './abandoned-partials.js';
import { removeDeadStaging } from '../activities/backup/snapshot-staging.js';
import { buildWorkflowBundle } from './prebuilt-bundle.js';

export { WORKFLOWS_PATH } from './workflows-path.js';

export interface OpsWorkerOptions {
  config: OpsConfig;
  connection: NativeConnection;
  namespace: string;
  /** The base queue: the workflows'; each role's steps are on roleTaskQueue(taskQueue, role). */
  taskQueue: string;
  /** Which steps this worker takes besides the workflow tasks (default all). */
  role?: WorkerRole;
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
  /** Around every step, outside ops' own: tests lose a step's completion after it did its work, to force Temporal's retry. */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/** The SDK workers of one ops worker, run and stopped together. */
export interface OpsWorker {
  /** The queues it polls: the workflow queue first, then each role's. */
  taskQueues: string[];
  run(): Promise<void>;
  shutdown(): void;
  getState(): ReturnType<Worker['getState']>;
}

/**
 * An ops worker polls the workflow queue (every role does, so a backup runs while the orchestrator
 * is down) and the queue of each of its roles' steps. A backup-role worker first clears what a dead
 * predecessor may have left: partial backup directories (of targets no backup is running for), the plaintext staging dirs of sealed snapshots whose worker is dead, and
 * stale verify_* databases. Every worker says so when alerts are off.
 */
export async function createOpsWorker(options: OpsWorkerOptions): Promise<OpsWorker> {
  const { config, log = () => undefined } = options;
  const roles = activityRolesOf(options.role ?? 'all');
  // One client on the worker's own connection: the clean-up asks which backups run, the watchdog reads the schedules.
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  if (roles.includes('backup')) await cleanUpLeftovers(config, client, log);
  const alertsOff = alertsOffNotice(config);
  if (alertsOff) log(alertsOff);
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
  };
  const workflows = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? { codePath: await buildWorkflowBundle(config.stateDir, options.startUpSignal) },
  });
  const steps = await Promise.all(roles.map((role) => Worker.create({
    ...common,
    taskQueue: roleTaskQueue(options.taskQueue, role),
    activities: activitiesOf(role, options, client, log),
    interceptors: { activity: [...(options.activityInterceptors ?? []), opsFailureInterceptor] },
    maxConcurrentActivityTaskExecutions: Math.max(4, config.backup.concurrency * 2),
    // Heartbeats carry cancellation back to a running step; the SDK would otherwise batch them for
    // up to 80% of the heartbeat timeout (16 s), so a cancel in the UI would take that long to land.
    maxHeartbeatThrottleInterval: '2 seconds',
  })));
  return togetherAs([workflows, ...steps], [options.taskQueue, ...roles.map((role) => roleTaskQueue(options.taskQueue, role))]);
}

function activitiesOf(role: ActivityRole, options: OpsWorkerOptions, client: Client, log: (line: string) => void) {
  const { config } = options;
  const notify = { ...createNotifyActivities(config), ...createRunLinkActivities(options.uiUrl) };
  const activities =
    role === 'deploy'
      ? { ...createDeployActivities(config), ...createDeployLockActivities(client), ...notify }
      : {
          ...createBackupActivities(config),
          ...createDrillActivities(config),
          ...notify,
          ...createRestoreActivities(config),
          ...createFilesRestoreActivities(config),
          ...createScheduleRunActivities({ config, schedules: client.schedule, taskQueue: options.taskQueue, log }),
        };
  return withWebhooks(activities, config, { ...(options.uiUrl ? { uiUrl: options.uiUrl } : {}), log });
}

/** One worker to run and stop: a failing one stops the others, so the process never half-polls. */
function togetherAs(workers: Worker[], taskQueues: string[]): OpsWorker {
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    taskQueues,
    async run() {
      const runs = workers.map((worker) => worker.run().catch((err: unknown) => {
        shutdown();
        throw err;
      }));
      await Promise.all(runs.map((run) => run.catch(() => undefined)));
      await Promise.all(runs);
    },
    shutdown,
    getState: () => workers[0]!.getState(),
  };
}

async function cleanUpLeftovers(config: OpsConfig, client: Client, log: (line: string) => void): Promise<void> {
  const partials = await removeAbandonedPartials(new BackupRepository(config.repository), client);
  if (partials.length > 0) log(`removed partial backups left by an interrupted run: ${partials.join(', ')}`);
  const staging = await removeDeadStaging(config.stateDir);
  if (staging.length > 0) log(`removed the plaintext staging of sealed snapshots left by a dead worker: ${staging.join(', ')}`);
  try {
    const dropped = await dropStaleVerifyDatabases(config);
    if (dropped.length > 0) log(`dropped verify databases left by dead attempts: ${dropped.join(', ')}`);
  } catch (err) {
    log(`could not check for stale verify databases: ${describeError(err)}`);
  }
}
