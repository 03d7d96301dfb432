import { describe, expect, it } from 'vitest';
import { profileParent, profileTarget } from '../../bench/fleet-profile.js';

type Events = Parameters<typeof profileTarget>[0];

/** History events at `ms` after the epoch, ids in order, as fetchHistory returns them. */
function history(...events: Array<[number, Record<string, unknown>]>): Events {
  return events.map(([ms, attributes], i) => ({ eventId: i + 1, eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, ...attributes })) as unknown as Events;
}

describe('bench/fleet-profile.ts', () => {
  it('splits a target run into workflow tasks, each activity queued and running, and the rest', () => {
    const events = history(
      [0, { workflowExecutionStartedEventAttributes: {} }],
      [0, { workflowTaskScheduledEventAttributes: {} }],
      [10, { workflowTaskStartedEventAttributes: {} }],
      [20, { workflowTaskCompletedEventAttributes: {} }],
      [20, { activityTaskScheduledEventAttributes: { activityType: { name: 'dumpTarget' } } }],
      [25, { activityTaskStartedEventAttributes: { scheduledEventId: 5 } }],
      [525, { activityTaskCompletedEventAttributes: { scheduledEventId: 5 } }],
      [530, { workflowTaskScheduledEventAttributes: {} }],
      [535, { workflowTaskStartedEventAttributes: {} }],
      [545, { workflowTaskCompletedEventAttributes: {} }],
      [545, { workflowExecutionCompletedEventAttributes: {} }],
    );
    const profile = profileTarget(events);
    expect({ ...profile, activities: Object.fromEntries(profile.activities) }).toEqual({
      span: 545,
      workflowTasks: 35,
      workflowTaskCount: 2,
      activities: { dumpTarget: { queued: 5, ran: 500 } },
      other: 5,
    });
  });

  it("measures the parent's child starts and how long a finished child's slot waited for the next", () => {
    const events = history(
      [0, { workflowTaskCompletedEventAttributes: {} }],
      [0, { startChildWorkflowExecutionInitiatedEventAttributes: {} }],
      [12, { childWorkflowExecutionStartedEventAttributes: { initiatedEventId: 2 } }],
      [1000, { childWorkflowExecutionCompletedEventAttributes: {} }],
      [1030, { workflowTaskCompletedEventAttributes: {} }],
      [1030, { startChildWorkflowExecutionInitiatedEventAttributes: {} }],
      [1040, { childWorkflowExecutionStartedEventAttributes: { initiatedEventId: 6 } }],
    );
    expect(profileParent(events)).toEqual({ childStart: 11, refill: 30, workflowTaskCount: 2 });
  });
});
