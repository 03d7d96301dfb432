import { ScheduleNotFoundError, type ScheduleClient, type ScheduleDescription } from '@temporalio/client';
import type { OpsConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import { desiredSchedules, planSchedules, type DesiredSchedule, type SchedulePlan } from '../core/schedule-plan.js';
import { existingFrom, ownerOf, scheduleCreateOptions, scheduleUpdateOptions } from './schedule-options.js';

export interface ScheduleSurvey {
  desired: DesiredSchedule[];
  /** Every declared schedule that exists, and every other one this installation created. */
  found: ScheduleDescription[];
  plan: SchedulePlan;
}

/**
 * What is declared, what Temporal has, and what applying would change. Declared ids are
 * described directly, since listing is eventually consistent; the listing only finds the
 * schedules this installation created and no longer declares. Describe is authoritative for both.
 */
export async function surveySchedules(
  schedules: ScheduleClient,
  config: Pick<OpsConfig, 'schedules' | 'timeZone'>,
  taskQueue: string,
): Promise<ScheduleSurvey> {
  const desired = desiredSchedules(config.schedules, { timeZone: config.timeZone, taskQueue });
  const ids = new Set(desired.map((schedule) => schedule.id));
  for await (const summary of schedules.list()) {
    if (ownerOf(summary) === taskQueue) ids.add(summary.scheduleId);
  }
  const described = await Promise.all([...ids].sort().map((id) => describeSchedule(schedules, id)));
  const found = described.filter((description): description is ScheduleDescription => description !== undefined);
  return { desired, found, plan: planSchedules(desired, found.map(existingFrom), taskQueue) };
}

/**
 * Makes Temporal match the declarations: creates missing schedules, updates changed ones and
 * deletes the ones this installation created and no longer declares. A declared id that is
 * taken by a schedule ops did not create stops it before anything changes.
 */
export async function applySchedules(
  schedules: ScheduleClient,
  config: Pick<OpsConfig, 'schedules' | 'timeZone'>,
  taskQueue: string,
): Promise<SchedulePlan> {
  const { plan } = await surveySchedules(schedules, config, taskQueue);
  if (plan.conflicts.length > 0) {
    throw new ConfigError(plan.conflicts.map((c) => `schedules.${c.id}: ${c.reason}; rename it here or delete that schedule`));
  }
  for (const schedule of plan.create) await schedules.create(scheduleCreateOptions(schedule));
  for (const schedule of plan.update) await schedules.getHandle(schedule.id).update((previous) => scheduleUpdateOptions(schedule, previous));
  for (const id of plan.delete) await schedules.getHandle(id).delete();
  return plan;
}

export async function describeSchedule(schedules: ScheduleClient, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await schedules.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}
