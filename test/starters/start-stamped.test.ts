import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { startStamped } from '../../src/starters/start-stamped.js';

describe('startStamped', () => {
  it('takes the next second\'s stamp when a run already has this one, and never lets an id be reused', async () => {
    const tried: Array<{ stamp: string; at: number; policy: WorkflowIdReusePolicy }> = [];
    const started = await startStamped(async (stamp, { workflowIdReusePolicy }) => {
      tried.push({ stamp, at: Date.now(), policy: workflowIdReusePolicy });
      if (tried.length === 1) throw new WorkflowExecutionAlreadyStartedError('already started', `restore-x-${stamp}`, 'restoreBackup');
      return `restore-x-${stamp}`;
    });
    expect(tried).toHaveLength(2);
    expect(tried.map((t) => t.policy)).toEqual([WorkflowIdReusePolicy.REJECT_DUPLICATE, WorkflowIdReusePolicy.REJECT_DUPLICATE]);
    expect(tried[1]!.stamp > tried[0]!.stamp).toBe(true);
    expect(Math.floor(tried[1]!.at / 1000)).toBeGreaterThan(Math.floor(tried[0]!.at / 1000));
    expect(started).toBe(`restore-x-${tried[1]!.stamp}`);
  });

  it('passes on any other failure at once', async () => {
    let calls = 0;
    const failure = new Error('Temporal unreachable');
    await expect(startStamped(async () => {
      calls++;
      throw failure;
    })).rejects.toBe(failure);
    expect(calls).toBe(1);
  });
});
