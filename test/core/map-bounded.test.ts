import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../src/core/map-bounded.js';

/** Runs mapBounded over `count` items whose work takes a varying number of event-loop turns; records what happened. */
async function run(count: number, limit: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  const started: number[] = [];
  const items = Array.from({ length: count }, (_, i) => `item${i}`);
  const results = await mapBounded(items, limit, async (item, index) => {
    started.push(index);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    for (let turn = 0; turn < ((index * 7) % 5) + 1; turn++) await tick();
    inFlight -= 1;
    return `${item}:${index}`;
  });
  return { results, started, maxInFlight };
}

describe('mapBounded', () => {
  it.each<[string, number, number, number]>([
    ['more items than the limit', 7, 3, 3],
    ['limit 1 runs one at a time', 4, 1, 1],
    ['limit equal to the items', 4, 4, 4],
    ['limit larger than the items', 3, 10, 3],
    ['limit 0 still runs, one at a time', 3, 0, 1],
    ['a single item', 1, 2, 1],
  ])('%s: %i items, limit %i -> at most %i in flight', async (_name, count, limit, expectedMax) => {
    const { results, started, maxInFlight } = await run(count, limit);
    expect(maxInFlight).toBe(expectedMax);
    expect(results).toStrictEqual(Array.from({ length: count }, (_, i) => `item${i}:${i}`));
    expect(started).toStrictEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('keeps input order when later items finish first', async () => {
    const order: string[] = [];
    const results = await mapBounded([30, 20, 10, 0], 4, async (turns) => {
      for (let turn = 0; turn < turns; turn++) await tick();
      order.push(`done ${turns}`);
      return turns * 2;
    });
    expect(order).toStrictEqual(['done 0', 'done 10', 'done 20', 'done 30']);
    expect(results).toStrictEqual([60, 40, 20, 0]);
  });

  it('starts the next item as soon as a slot frees up', async () => {
    const events: string[] = [];
    await mapBounded([3, 1, 1, 1], 2, async (turns, index) => {
      events.push(`start ${index}`);
      for (let turn = 0; turn < turns; turn++) await tick();
      events.push(`end ${index}`);
    });
    expect(events).toStrictEqual(['start 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 0', 'end 3']);
  });

  it('an empty list resolves to [] without calling fn', async () => {
    let calls = 0;
    const results = await mapBounded([], 3, async () => {
      calls += 1;
    });
    expect([results, calls]).toStrictEqual([[], 0]);
  });

  it('rejects with the error fn threw', async () => {
    await expect(
      mapBounded([1, 2, 3], 2, async (n) => {
        await tick();
        if (n === 2) throw new Error('target 2 failed');
        return n;
      }),
    ).rejects.toThrow(new Error('target 2 failed'));
  });
});
