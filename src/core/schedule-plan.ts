import { createHash } from 'node:crypto';
import type { ScheduleDeclaration } from '../config/schedule-schema.js';
import { scheduledRunSummary } from './run-summary.js';

/** A declared schedule with everything that decides its Temporal form, and the hash of that. */
export interface DesiredSchedule extends ScheduleDeclaration {
  id: string;
  timeZone: string;
  taskQueue: string;
  /** The workflow the schedule starts in `workflow`'s place, which runs `workflow` as its child; see scheduleWrapper. */
  wrapper?: string;
  /** What its runs show as their summary in the Web UI, e.g. "backup all targets (schedule nightly-backup)" */
  summary: string;
  /** A stable hash of all of the above: equal hashes mean nothing to update. */
  specHash: string;
}

/** A schedule as found in Temporal, reduced to what the plan needs. */
export interface ExistingSchedule {
  id: string;
  /** The task queue of the ops installation that created it; undefined when ops did not create it. */
  managedFor?: string;
  /** The hash of the declaration it was last created or updated from (ops' schedules only). */
  specHash?: string;
}

export interface ScheduleConflict {
  id: string;
  reason: string;
}

export interface SchedulePlan {
  create: DesiredSchedule[];
  update: DesiredSchedule[];
  /** Ids of schedules this installation created that are no longer declared. */
  delete: string[];
  unchanged: string[];
  /** Declared ids held by a schedule this installation did not create: never touched. */
  conflicts: ScheduleConflict[];
}

/**
 * A schedule can only start workflow ids of the form <scheduleId>-<time>. deployPipeline's lock is
 * its id, deploy-<app> (workflowIds.deploy), so a schedule starts scheduledDeploy, which starts the
 * deploy under that id as its child, and fails when a deploy of the app is already running.
 */
const WRAPPERS: Partial<Record<ScheduleDeclaration['workflow'], string>> = { deployPipeline: 'scheduledDeploy' };

/** The workflow type a schedule of `workflow` starts in its place, if any. */
export function scheduleWrapper(workflow: ScheduleDeclaration['workflow']): string | undefined {
  return WRAPPERS[workflow];
}

/** The workflow a schedule runs, as the config names it, from the type its action starts (a wrapper or the workflow itself). */
export function wrappedWorkflow(actionWorkflowType: string): string {
  return Object.entries(WRAPPERS).find(([, wrapper]) => wrapper === actionWorkflowType)?.[0] ?? actionWorkflowType;
}

/** The declarations in id order, each with the config's time zone, the task queue, its wrapper and its hash. */
export function desiredSchedules(
  declared: Record<string, ScheduleDeclaration>,
  context: { timeZone: string; taskQueue: string },
): DesiredSchedule[] {
  return Object.keys(declared)
    .sort()
    .map((id) => {
      const declaration = declared[id]!;
      const wrapper = scheduleWrapper(declaration.workflow);
      // The wrapper and the summary are in the hash: a schedule applied before either existed is updated once.
      const summary = scheduledRunSummary(id, declaration.workflow, declaration.args);
      const normalized = { id, ...declaration, timeZone: context.timeZone, taskQueue: context.taskQueue, ...(wrapper ? { wrapper } : {}), summary };
      return { ...normalized, specHash: specHash(normalized) };
    });
}

/**
 * What to do so Temporal matches the declarations of the installation whose task queue is
 * `taskQueue`. Only schedules it created (its marker names that task queue) are updated or
 * deleted; a schedule anyone else created is left alone, even when its id is declared here.
 */
export function planSchedules(desired: DesiredSchedule[], existing: ExistingSchedule[], taskQueue: string): SchedulePlan {
  const plan: SchedulePlan = { create: [], update: [], delete: [], unchanged: [], conflicts: [] };
  const byId = new Map(existing.map((schedule) => [schedule.id, schedule]));
  for (const schedule of desired) {
    const found = byId.get(schedule.id);
    if (!found) plan.create.push(schedule);
    else if (found.managedFor !== taskQueue) plan.conflicts.push({ id: schedule.id, reason: conflictReason(found) });
    else if (found.specHash === schedule.specHash) plan.unchanged.push(schedule.id);
    else plan.update.push(schedule);
  }
  const declared = new Set(desired.map((schedule) => schedule.id));
  plan.delete = existing
    .filter((schedule) => schedule.managedFor === taskQueue && !declared.has(schedule.id))
    .map((schedule) => schedule.id)
    .sort();
  return plan;
}

function conflictReason(found: ExistingSchedule): string {
  return found.managedFor === undefined
    ? 'a schedule with this id exists and was not created by ops'
    : `a schedule with this id was created by ops for task queue "${found.managedFor}"`;
}

/** sha256 of the declaration as canonical JSON (object keys sorted at every depth), 16 hex digits. */
export function specHash(declaration: object): string {
  return createHash('sha256').update(canonicalJson(declaration)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** One line per declared or deleted schedule, for `ops schedules apply`. */
export function describePlan(plan: Omit<SchedulePlan, 'conflicts'>): string[] {
  const what = (s: DesiredSchedule) => `${s.id}: ${s.workflow} at "${s.cron}" ${s.timeZone}`;
  const lines = [
    ...plan.create.map((s) => `created    ${what(s)}`),
    ...plan.update.map((s) => `updated    ${what(s)}`),
    ...plan.delete.map((id) => `deleted    ${id}`),
    ...plan.unchanged.map((id) => `unchanged  ${id}`),
  ];
  return lines.length > 0 ? lines : ['no schedules declared, none to delete'];
}

/** The same on one line, for `ops up`: "created a, b; unchanged c". */
export function summarizePlan(plan: Omit<SchedulePlan, 'conflicts'>): string {
  const parts = [
    ['created', plan.create.map((s) => s.id)],
    ['updated', plan.update.map((s) => s.id)],
    ['deleted', plan.delete],
    ['unchanged', plan.unchanged],
  ] as const;
  return parts.filter(([, ids]) => ids.length > 0).map(([verb, ids]) => `${verb} ${ids.join(', ')}`).join('; ') || 'none declared';
}
