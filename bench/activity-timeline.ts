import type { WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
export type HistoryEvent = NonNullable<History['events']>[number];

export interface StepTiming {
  /** An activity type, or `child <workflow type>`. */
  name: string;
  /** From the workflow's start to the step's scheduling, seconds. */
  at: number;
  /** Scheduled → picked up by a worker (activities only). */
  queued: number;
  /** Picked up (or child started) → completed. */
  ran: number;
}

export interface Timeline {
  /** The first history event's time, seconds since the epoch. */
  origin: number;
  /** First history event → last, as the server saw it. */
  span: number;
  steps: StepTiming[];
}

/** History ids and seconds are protobuf int64s (Long objects): as a number. */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof (value as { toNumber?: unknown }).toNumber === 'function') return (value as { toNumber(): number }).toNumber();
  return Number(value ?? 0);
}

/** When the server recorded `event`, in seconds. */
export const timeOf = (event: HistoryEvent) => num(event.eventTime?.seconds) + num(event.eventTime?.nanos) / 1e9;

/** Each activity and child workflow of one run, with its queue and run time, from the server's history. */
export async function timelineOf(handle: WorkflowHandle): Promise<Timeline> {
  const events = (await handle.fetchHistory()).events ?? [];
  if (events.length === 0) return { origin: 0, span: 0, steps: [] };
  const origin = timeOf(events[0]!);
  const open = new Map<number, { name: string; scheduled: number; started?: number }>();
  const steps: StepTiming[] = [];
  const close = (id: unknown, event: HistoryEvent) => {
    const step = open.get(num(id));
    if (!step) return;
    const started = step.started ?? step.scheduled;
    steps.push({ name: step.name, at: step.scheduled - origin, queued: started - step.scheduled, ran: timeOf(event) - started });
  };
  for (const event of events) {
    const id = num(event.eventId);
    if (event.activityTaskScheduledEventAttributes) {
      open.set(id, { name: event.activityTaskScheduledEventAttributes.activityType?.name ?? '?', scheduled: timeOf(event) });
    } else if (event.activityTaskStartedEventAttributes) {
      const step = open.get(num(event.activityTaskStartedEventAttributes.scheduledEventId));
      if (step) step.started = timeOf(event);
    } else if (event.activityTaskCompletedEventAttributes) {
      close(event.activityTaskCompletedEventAttributes.scheduledEventId, event);
    } else if (event.activityTaskFailedEventAttributes) {
      close(event.activityTaskFailedEventAttributes.scheduledEventId, event);
    } else if (event.startChildWorkflowExecutionInitiatedEventAttributes) {
      open.set(id, { name: `child ${event.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name ?? '?'}`, scheduled: timeOf(event) });
    } else if (event.childWorkflowExecutionStartedEventAttributes) {
      const step = open.get(num(event.childWorkflowExecutionStartedEventAttributes.initiatedEventId));
      if (step) step.started = timeOf(event);
    } else if (event.childWorkflowExecutionCompletedEventAttributes) {
      close(event.childWorkflowExecutionCompletedEventAttributes.initiatedEventId, event);
    }
  }
  return { origin, span: timeOf(events.at(-1)!) - origin, steps };
}
