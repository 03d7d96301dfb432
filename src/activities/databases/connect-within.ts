import { setTimeout as sleep } from 'node:timers/promises';
import { OpsError, Unreachable } from '../../core/errors.js';
import { formatDuration } from '../../core/format.js';

/** The wait before try n+1: 1 s, 2 s, 4 s, ... at most a minute, so a server back after a restart is found within a minute. */
export function reconnectDelayMs(tries: number): number {
  return Math.min(60_000, 1000 * 2 ** (tries - 1));
}

/**
 * Connects, retrying the world's failures (refused, timed out, name not found, server starting)
 * with backoff until `windowMs` has passed; a failure of the inputs (password, database,
 * privilege) fails at once. Runs inside a heartbeating activity, so a long wait is not taken for
 * a dead worker, and a cancel ends the wait.
 */
export async function connectWithin<T>(windowMs: number, connect: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const started = Date.now();
  for (let tries = 1; ; tries++) {
    try {
      return await connect();
    } catch (err) {
      if (!(err instanceof OpsError) || !err.retryable) throw err;
      const wait = Math.min(reconnectDelayMs(tries), started + windowMs - Date.now());
      if (wait <= 0) {
        // A window of 0 (config check --connect, which answers now) waited for nothing: no window to name.
        if (windowMs <= 0) throw new Unreachable(`${err.message} (tried once)`);
        const waited = formatDuration((Date.now() - started) / 1000);
        throw new Unreachable(`${err.message}; still unreachable after ${tries} ${tries === 1 ? 'try' : 'tries'} over ${waited} (backup.unreachableRetryMinutes)`);
      }
      await sleep(wait, undefined, signal ? { signal } : {});
    }
  }
}
