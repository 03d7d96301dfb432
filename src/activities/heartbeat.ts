import { Context } from '@temporalio/activity';

export interface HeartbeatingContext {
  cancelSignal: AbortSignal;
  /** Records progress; it goes out with the next heartbeat. */
  progress(details: Record<string, number | string>): void;
}

/**
 * Runs a long step while heartbeating every few seconds, so Temporal notices a dead worker
 * within the heartbeat timeout and a cancel from the UI reaches the child process.
 */
export async function withHeartbeat<T>(step: (context: HeartbeatingContext) => Promise<T>): Promise<T> {
  const activity = Context.current();
  let details: Record<string, number | string> = {};
  const timer = setInterval(() => activity.heartbeat(details), 3_000);
  activity.heartbeat(details);
  try {
    return await step({
      cancelSignal: activity.cancellationSignal,
      progress(next) {
        details = next;
      },
    });
  } finally {
    clearInterval(timer);
  }
}
