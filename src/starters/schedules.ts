import type { Command } from 'commander';
import type { OpsConfig } from '../config/load-config.js';
import { ConfigError, describeError } from '../core/errors.js';
import { describePlan, summarizePlan } from '../core/schedule-plan.js';
import { applySchedules } from '../schedules/apply-schedules.js';
import { connectTemporal, loadCliConfig, type GlobalOptions, type TemporalSession } from './cli-context.js';
import { withDeclaredSchedule } from './declared-schedule.js';
import { registerScheduleBackfill } from './schedule-backfill.js';
import { registerScheduleTrigger } from './schedule-trigger.js';
import { registerSchedulesList } from './schedules-list.js';

export function registerSchedules(program: Command): void {
  const schedules = program.command('schedules').description('the Temporal schedules declared under `schedules:` in the config');

  schedules
    .command('apply')
    .description('create missing schedules, update changed ones, delete the ones ops created that are no longer declared')
    .action(async () => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const temporal = await connectTemporal(config);
      try {
        const plan = await applySchedules(temporal.client.schedule, config, temporal.taskQueue);
        for (const line of describePlan(plan)) console.log(line);
      } finally {
        await temporal.close();
      }
    });

  registerSchedulesList(schedules, program);

  schedules
    .command('pause')
    .description('stop a schedule from starting runs until unpaused (apply keeps it paused unless the config sets `paused`)')
    .argument('<id>', 'a schedule id from the config')
    .option('--note <text>', 'why, shown with the schedule', 'paused with ops schedules pause')
    .action(async (id: string, options: { note: string }) => {
      await withDeclaredSchedule(program, id, async ({ handle }) => {
        await handle.pause(options.note);
        console.log(`paused ${id}: ${options.note}`);
      });
    });

  schedules
    .command('unpause')
    .description('let a paused schedule start runs again')
    .argument('<id>', 'a schedule id from the config')
    .action(async (id: string) => {
      await withDeclaredSchedule(program, id, async ({ handle }) => {
        await handle.unpause('unpaused with ops schedules unpause');
        console.log(`unpaused ${id}`);
      });
    });

  registerScheduleTrigger(schedules, program);
  registerScheduleBackfill(schedules, program);
}

/** `ops up` applies the schedules once its worker runs; a failure is reported and the worker keeps running. */
export async function applySchedulesOnUp(config: OpsConfig, log: (line: string) => void): Promise<void> {
  let temporal: TemporalSession | undefined;
  try {
    temporal = await connectTemporal(config);
    const plan = await applySchedules(temporal.client.schedule, config, temporal.taskQueue);
    log(`schedules            ${summarizePlan(plan)}`);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [describeError(err)];
    for (const problem of problems) console.error(`  schedules not applied: ${problem}`);
  } finally {
    await temporal?.close();
  }
}
