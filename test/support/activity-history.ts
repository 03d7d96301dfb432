import type { Client, WorkflowHandle } from '@temporalio/client';
import { decodeRetryState, decodeTimeoutType } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time.js';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Failure = NonNullable<HistoryEvent['activityTaskStartedEventAttributes']>['lastFailure'];

export interface FailureSummary {
  type: string | undefined;
  message: string;
  nonRetryable: boolean;
}

/**
 * One scheduled activity as the workflow history tells it. Temporal writes a single
 * ActivityTaskStarted event per activity, for its last attempt: `attempt` is how many tries
 * it took, and the time from scheduled to started is what the retries (and their backoff) cost.
 */
export interface ActivityRun {
  activity: string;
  attempt: number;
  /** the worker that ran the last attempt */
  identity: string | undefined;
  scheduledAt: number;
  startedAt: number | undefined;
  /** Why the attempt before the last one failed (a heartbeat timeout, a retryable error). */
  lastFailure: FailureSummary | undefined;
  outcome: 'completed' | 'failed' | 'timed out' | 'running';
  failure: FailureSummary | undefined;
  retryState: string | undefined;
}

/** Every activity the workflow ran, in schedule order, optionally only those of one type. */
export async function activityRuns(client: Client, workflowId: string, activity?: string): Promise<ActivityRun[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const runs = new Map<string, ActivityRun>();
  const runOf = (scheduledEventId: unknown) => runs.get(String(scheduledEventId))!;
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      runs.set(String(event.eventId), {
        activity: scheduled.activityType?.name ?? '',
        attempt: 0,
        identity: undefined,
        scheduledAt: tsToMs(event.eventTime),
        startedAt: undefined,
        lastFailure: undefined,
        outcome: 'running',
        failure: undefined,
        retryState: undefined,
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const run = runOf(started.scheduledEventId);
      run.attempt = started.attempt ?? 0;
      run.identity = started.identity ?? undefined;
      run.startedAt = tsToMs(event.eventTime);
      run.lastFailure = summarize(started.lastFailure);
    }
    if (event.activityTaskCompletedEventAttributes) runOf(event.activityTaskCompletedEventAttributes.scheduledEventId).outcome = 'completed';
    const failed = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (failed) {
      const run = runOf(failed.scheduledEventId);
      run.outcome = event.activityTaskFailedEventAttributes ? 'failed' : 'timed out';
      run.failure = summarize(failed.failure);
      run.retryState = decodeRetryState(failed.retryState);
    }
  }
  return [...runs.values()].filter((run) => activity === undefined || run.activity === activity);
}

/** An ApplicationFailure keeps the ops error's type name; a timeout reads as e.g. "timeout HEARTBEAT". */
function summarize(failure: Failure): FailureSummary | undefined {
  if (!failure) return undefined;
  const timeout = failure.timeoutFailureInfo ? `timeout ${decodeTimeoutType(failure.timeoutFailureInfo.timeoutType)}` : undefined;
  return {
    type: failure.applicationFailureInfo?.type ?? timeout,
    message: failure.message ?? '',
    nonRetryable: failure.applicationFailureInfo?.nonRetryable ?? false,
  };
}
