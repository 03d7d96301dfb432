import { num, timeOf, type HistoryEvent } from './activity-timeline.js';

/** Where one target's run spent its time, in ms, from its history as the server recorded it. */
export interface TargetProfile {
  /** first event → last */
  span: number;
  /** workflow tasks: scheduled → completed, all of them */
  workflowTasks: number;
  workflowTaskCount: number;
  /** per activity type: scheduled → picked up, and picked up → completed */
  activities: Map<string, { queued: number; ran: number }>;
  /** the rest: between a step's completion and the next workflow task's scheduling (should be ~0) */
  other: number;
}

/** The parent's view of the children: start latency and how long a finished slot waited to be refilled. */
export interface ParentProfile {
  /** child initiated → child started, mean ms */
  childStart: number;
  /** child's completion recorded in the parent → the next child initiated, mean ms (slots refilled) */
  refill: number;
  workflowTaskCount: number;
}

const msOf = (event: HistoryEvent) => timeOf(event) * 1000;

export function profileTarget(events: HistoryEvent[]): TargetProfile {
  const scheduled = new Map<number, { name: string; at: number; started?: number }>();
  const activities = new Map<string, { queued: number; ran: number }>();
  let workflowTasks = 0;
  let workflowTaskCount = 0;
  let wftScheduledAt: number | undefined;
  for (const e of events) {
    const id = num(e.eventId);
    if (e.workflowTaskScheduledEventAttributes) wftScheduledAt = msOf(e);
    if ((e.workflowTaskCompletedEventAttributes || e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes) && wftScheduledAt !== undefined) {
      workflowTasks += msOf(e) - wftScheduledAt;
      workflowTaskCount += 1;
      wftScheduledAt = undefined;
    }
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: msOf(e) });
    if (e.activityTaskStartedEventAttributes) scheduled.get(num(e.activityTaskStartedEventAttributes.scheduledEventId))!.started = msOf(e);
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    if (done) {
      const step = scheduled.get(num(done.scheduledEventId))!;
      const started = step.started ?? step.at;
      const sum = activities.get(step.name) ?? { queued: 0, ran: 0 };
      activities.set(step.name, { queued: sum.queued + started - step.at, ran: sum.ran + msOf(e) - started });
    }
  }
  const span = msOf(events.at(-1)!) - msOf(events[0]!);
  const inActivities = [...activities.values()].reduce((a, s) => a + s.queued + s.ran, 0);
  return { span, workflowTasks, workflowTaskCount, activities, other: span - workflowTasks - inActivities };
}

export function profileParent(events: HistoryEvent[]): ParentProfile {
  const initiated = new Map<number, number>();
  const starts: number[] = [];
  const refills: number[] = [];
  const lastClosed: number[] = [];
  let workflowTaskCount = 0;
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) workflowTaskCount += 1;
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      initiated.set(num(e.eventId), msOf(e));
      const closed = lastClosed.shift();
      if (closed !== undefined) refills.push(msOf(e) - closed);
    }
    if (e.childWorkflowExecutionStartedEventAttributes) starts.push(msOf(e) - initiated.get(num(e.childWorkflowExecutionStartedEventAttributes.initiatedEventId))!);
    if (e.childWorkflowExecutionCompletedEventAttributes || e.childWorkflowExecutionFailedEventAttributes) lastClosed.push(msOf(e));
  }
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { childStart: mean(starts), refill: mean(refills), workflowTaskCount };
}

/** One line per figure, means over the targets. */
export function profileLines(targets: TargetProfile[], parent: ParentProfile): string[] {
  const n = targets.length;
  const mean = (pick: (t: TargetProfile) => number) => (targets.reduce((a, t) => a + pick(t), 0) / n).toFixed(0);
  const names = [...new Set(targets.flatMap((t) => [...t.activities.keys()]))];
  return [
    `profile_target_span_ms=${mean((t) => t.span)} workflow_tasks_ms=${mean((t) => t.workflowTasks)} (${mean((t) => t.workflowTaskCount)} tasks) other_ms=${mean((t) => t.other)}`,
    ...names.map((name) => `profile_activity ${name} queued_ms=${mean((t) => t.activities.get(name)?.queued ?? 0)} ran_ms=${mean((t) => t.activities.get(name)?.ran ?? 0)}`),
    `profile_parent child_start_ms=${parent.childStart.toFixed(0)} slot_refill_ms=${parent.refill.toFixed(0)} workflow_tasks=${parent.workflowTaskCount}`,
  ];
}
