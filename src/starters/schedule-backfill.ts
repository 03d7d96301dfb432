import type { Command } from 'commander';
import { formatLocalTime } from '../core/format.js';
import { withDeclaredSchedule } from './declared-schedule.js';
import { UsageError } from './exit-codes.js';

export function registerScheduleBackfill(schedules: Command, program: Command): void {
  schedules
    .command('backfill')
    .description('take the actions the schedule would have taken between --from and --to, now; its overlap policy applies')
    .argument('<id>', 'a schedule id from the config')
    .requiredOption('--from <time>', 'start of the period, ISO 8601 (e.g. 2025-06-01T00:00:00Z)')
    .requiredOption('--to <time>', 'end of the period, ISO 8601')
    .action(async (id: string, options: { from: string; to: string }) => {
      const start = isoTime('--from', options.from);
      const end = isoTime('--to', options.to);
      if (end <= start) throw new UsageError(`--to (${options.to}) must be after --from (${options.from})`);
      await withDeclaredSchedule(program, id, async ({ handle, description, config }) => {
        const overlap = description.policies.overlap;
        await handle.backfill({ start, end, overlap });
        const zone = description.spec.timezone ?? config.timeZone;
        console.log(`backfill requested for ${id}: ${formatLocalTime(start, zone)} to ${formatLocalTime(end, zone)} (${zone}, overlap ${overlap})`);
      });
    });
}

function isoTime(option: string, value: string): Date {
  // Date.parse also takes "June 1": only ISO 8601 with a date part is meant here.
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) throw new UsageError(`${option} "${value}" is not an ISO 8601 time, e.g. 2025-06-01T00:00:00Z`);
  return time;
}
