import { Context } from '@temporalio/activity';

export interface HeartbeatingContext {
  cancelSignal: AbortSignal;
  /** Records progress; it goes out with the next heartbeat. */
  progress(details: Record<string, number | string>): void;
}

/** How often a long step heartbeats: well within every heartbeat timeout (20 s). */
export const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Runs a long step while heartbeating every few seconds, so Temporal notices a dead worker
 * within the heartbeat timeout and a cancel from the UI reaches the child process. The first
 * beat comes after one interval, not at the start: the server counts the heartbeat timeout from
 * the step's start anyway, and a step shorter than the interval (a small target's dump or verify)
 * then costs no heartbeat round trip to the server at all.
 */
export async function withHeartbeat<T>(step: (context: HeartbeatingContext) => Promise<T>): Promise<T> {
  const activity = Context.current();
  let details: Record<string, number | string> = {};
  const timer = setInterval(() => activity.heartbeat(details), HEARTBEAT_INTERVAL_MS);
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
