import type { ActivityOptions } from '@temporalio/workflow';

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
