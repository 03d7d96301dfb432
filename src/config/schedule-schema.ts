import { z } from 'zod';
import { parseCronSpec } from '../core/cron-spec.js';
import type { SchemaPrimitives } from './schema-primitives.js';

/** Workflow types a schedule may start, by their registered names (a schedule needs only the name). */
export const SCHEDULABLE_WORKFLOWS = ['nightlyBackup', 'restoreDrill', 'backupWatchdog', 'deployPipeline'] as const;

const SCHEDULE_OVERLAP_POLICIES = ['SKIP', 'BUFFER_ONE', 'ALLOW_ALL'] as const;

const DEFAULT_CATCHUP_WINDOW_HOURS = 6;

/** When `schedules:` is absent. Declaring `schedules:` replaces these: `schedules: {}` means none. */
export const DEFAULT_SCHEDULES = {
  'nightly-backup': { workflow: 'nightlyBackup', cron: '0 2 * * *', catchupWindowHours: DEFAULT_CATCHUP_WINDOW_HOURS, overlap: 'SKIP' },
  'monthly-drill': { workflow: 'restoreDrill', cron: '0 4 1 * *', catchupWindowHours: DEFAULT_CATCHUP_WINDOW_HOURS, overlap: 'SKIP' },
  // Independent of the chain: raises "no valid dump within the RPO" even when the nightly run never started.
  'backup-watchdog': { workflow: 'backupWatchdog', cron: '30 * * * *', catchupWindowHours: 1, overlap: 'SKIP' },
} as const;

/** The `schedules:` key: schedule id → what to start and when. `ops schedules apply` makes Temporal match it. */
export function scheduleSchema({ name, parsedFrom }: SchemaPrimitives) {
  const schedule = z.strictObject({
    workflow: z.enum(SCHEDULABLE_WORKFLOWS).describe('The workflow type to start'),
    cron: parsedFrom(z.string(), (value) => parseCronSpec(value).text).describe('minute hour day-of-month month day-of-week, in timeZone'),
    args: z.record(z.string(), z.unknown()).optional().describe('The workflow\'s input object'),
    paused: z.boolean().optional().describe('Applied on create and whenever the declaration changes; unset, `ops schedules pause`/`unpause` decide'),
    catchupWindowHours: z.number().positive().default(DEFAULT_CATCHUP_WINDOW_HOURS).describe('A run missed while Temporal was down still starts (once) if it is at most this late'),
    overlap: z.enum(SCHEDULE_OVERLAP_POLICIES).default('SKIP').describe('When the previous run is still going: SKIP this one, BUFFER_ONE, or ALLOW_ALL'),
    note: z.string().optional().describe('Shown with the schedule in the Temporal UI'),
  });
  return z
    .record(name.describe('Schedule id: the Temporal schedule id and the prefix of the workflow ids it starts'), schedule)
    .default(() => structuredClone(DEFAULT_SCHEDULES) as Record<string, z.output<typeof schedule>>);
}

export type ScheduleDeclaration = z.output<ReturnType<typeof scheduleSchema>>[string];
