import { workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { roleTaskQueue, type ActivityRole } from '../temporal/names.js';

/**
 * The same options, sent to the workers of `role` (see WORKER_ROLES). The queue is derived from the
 * run's own queue when each step is scheduled (the SDK reads the options then), so a child run, such
 * as a backup a deploy starts, routes its steps the same way as a run started alone.
 */
export function onRole(role: ActivityRole, options: ActivityOptions): ActivityOptions {
  return {
    ...options,
    get taskQueue() {
      return roleTaskQueue(workflowInfo().taskQueue, role);
    },
  };
}

/** Bookkeeping steps: planning, records, retention, reports. Fast, retried quickly. */
export const quickSteps: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
};

/**
 * Dumps, copies and restores: may run for hours, so they heartbeat, and a worker that dies is
 * noticed within the heartbeat timeout and the step restarts on another worker.
 */
export const longSteps: ActivityOptions = {
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 3 },
};

/**
 * The dump step: a long step whose time limit per attempt is backup.dumpTimeoutMinutes (a fraction
 * of a minute is allowed). Without one (a run started before the limit was passed along), the long
 * steps' limit.
 */
export function dumpSteps(timeoutMinutes: number | undefined): ActivityOptions {
  if (timeoutMinutes === undefined) return longSteps;
  return { ...longSteps, startToCloseTimeout: Math.max(1, Math.round(timeoutMinutes * 60_000)) };
}

/**
 * Deploy steps on hosts: sync, build, switch. They heartbeat; ssh failures (exit 255) are retried,
 * a failing build or compose command is not (the activities mark those non-retryable).
 */
export const hostSteps: ActivityOptions = {
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '3 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
};

/**
 * Health gate and smoke tests: they decide pass or fail themselves (and within their own time
 * limits), so a second attempt only ever covers a worker that died mid-check.
 */
export const gateSteps: ActivityOptions = {
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
};
