import type { ScheduleDescription, ScheduleOptions, ScheduleSummary, ScheduleUpdateOptions } from '@temporalio/client';
import type { DesiredSchedule, ExistingSchedule } from '../core/schedule-plan.js';

const MANAGED_BY = 'ops';
const HOUR_MS = 3_600_000;

/**
 * The schedule's own memo marks it as created by this ops installation (named by its task queue).
 * Temporal cannot change a schedule's memo after creation, which suits a marker, but not the
 * spec hash: that travels in the action's memo, which every update rewrites (and which the
 * workflows it starts carry too, naming the schedule and declaration that started them).
 */
export interface OwnerMemo {
  managedBy: typeof MANAGED_BY;
  taskQueue: string;
}

export interface ActionMemo {
  opsSchedule: string;
  specHash: string;
}

/** ScheduleOptions for client.schedule.create: start the workflow type by name, ids prefixed with the schedule id. */
export function scheduleCreateOptions(schedule: DesiredSchedule): ScheduleOptions {
  return {
    scheduleId: schedule.id,
    spec: scheduleSpec(schedule),
    action: scheduleAction(schedule),
    policies: schedulePolicies(schedule),
    memo: { managedBy: MANAGED_BY, taskQueue: schedule.taskQueue } satisfies OwnerMemo,
    state: { paused: schedule.paused ?? false, ...(schedule.note !== undefined ? { note: schedule.note } : {}) },
  };
}

/**
 * The update for handle.update. An update replaces the whole schedule, so an undeclared `paused`
 * or `note` keeps the current state: a `ops schedules pause` outlives a cron change.
 */
export function scheduleUpdateOptions(schedule: DesiredSchedule, previous: Pick<ScheduleDescription, 'state'>): ScheduleUpdateOptions {
  const note = schedule.note ?? previous.state.note;
  return {
    spec: scheduleSpec(schedule),
    action: scheduleAction(schedule),
    policies: schedulePolicies(schedule),
    state: { paused: schedule.paused ?? previous.state.paused, ...(note !== undefined ? { note } : {}) },
  };
}

/** Whose schedule this is and which declaration it was last applied from, from describe(). */
export function existingFrom(description: Pick<ScheduleDescription, 'scheduleId' | 'memo' | 'action'>): ExistingSchedule {
  const owner = ownerOf(description);
  const actionMemo = description.action.memo as Partial<ActionMemo> | undefined;
  return {
    id: description.scheduleId,
    ...(owner ? { managedFor: owner } : {}),
    ...(owner && typeof actionMemo?.specHash === 'string' ? { specHash: actionMemo.specHash } : {}),
  };
}

/** The task queue of the ops installation that created this schedule, if ops did. Works on list() summaries too. */
export function ownerOf(schedule: Pick<ScheduleSummary, 'memo'>): string | undefined {
  const memo = schedule.memo as Partial<OwnerMemo> | undefined;
  return memo?.managedBy === MANAGED_BY && typeof memo.taskQueue === 'string' ? memo.taskQueue : undefined;
}

function scheduleSpec(schedule: DesiredSchedule): ScheduleOptions['spec'] {
  return { cronExpressions: [schedule.cron], timezone: schedule.timeZone };
}

function scheduleAction(schedule: DesiredSchedule): ScheduleOptions['action'] {
  return {
    type: 'startWorkflow',
    // A wrapper runs the declared workflow as its child, e.g. a deploy under the app's lock id.
    workflowType: schedule.wrapper ?? schedule.workflow,
    taskQueue: schedule.taskQueue,
    // Temporal appends the scheduled time: nightly-backup-2025-06-02T00:00:00Z.
    workflowId: schedule.id,
    staticSummary: schedule.summary,
    // Every ops workflow takes one input object.
    args: [schedule.args ?? {}],
    memo: { opsSchedule: schedule.id, specHash: schedule.specHash } satisfies ActionMemo,
  };
}

function schedulePolicies(schedule: DesiredSchedule): ScheduleOptions['policies'] {
  return { overlap: schedule.overlap, catchupWindow: schedule.catchupWindowHours * HOUR_MS };
}
