import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, withHeartbeat } from '../../src/activities/heartbeat.js';

/**
 * The activity context the SDK gives a running step, with its heartbeat function recording the
 * beats (each one a round trip to the server), as the SDK's own MockActivityEnvironment builds it.
 */
function activityContext(beats: unknown[]): Context {
  const ContextClass = Context as unknown as new (...args: unknown[]) => Context;
  return new ContextClass({ attempt: 1 } as Info, new Promise<never>(() => undefined), new AbortController().signal, (details: unknown) => beats.push(details), undefined, console, undefined);
}

/** A step of `ms` that reports progress halfway. */
const stepOf = (ms: number) => async ({ progress }: Parameters<Parameters<typeof withHeartbeat>[0]>[0]) => {
  await new Promise((resolve) => setTimeout(resolve, ms / 2));
  progress({ bytes: 42 });
  await new Promise((resolve) => setTimeout(resolve, ms / 2));
  return 'done';
};

describe('withHeartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each([
    // A small target's dump or verify: shorter than one interval, no heartbeat round trip at all.
    [HEARTBEAT_INTERVAL_MS - 100, []],
    // A long step beats once per interval, with the latest progress.
    [HEARTBEAT_INTERVAL_MS * 2 + 100, [{}, { bytes: 42 }]],
    [HEARTBEAT_INTERVAL_MS * 4 + 100, [{}, {}, { bytes: 42 }, { bytes: 42 }]],
  ])('a step of %i ms sends %j', async (ms, expected) => {
    const beats: unknown[] = [];
    const result = asyncLocalStorage.run(activityContext(beats), () => withHeartbeat(stepOf(ms)));
    await vi.advanceTimersByTimeAsync(ms);
    await expect(result).resolves.toBe('done');
    expect(beats).toEqual(expected);
    // Stopped with the step: no beat after it ended.
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS * 2);
    expect(beats).toEqual(expected);
  });
});
