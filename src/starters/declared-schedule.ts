import type { ScheduleDescription, ScheduleHandle } from '@temporalio/client';
import type { Command } from 'commander';
import type { ScheduleDeclaration } from '../config/schedule-schema.js';
import type { OpsConfig } from '../config/load-config.js';
import { PreconditionFailed } from '../core/errors.js';
import { describeSchedule } from '../schedules/apply-schedules.js';
import { ownerOf } from '../schedules/schedule-options.js';
import { connectTemporal, loadCliConfig, type GlobalOptions, type TemporalSession } from './cli-context.js';
import { UsageError } from './exit-codes.js';

export interface DeclaredSchedule {
  config: OpsConfig;
  temporal: TemporalSession;
  declaration: ScheduleDeclaration;
  handle: ScheduleHandle;
  description: ScheduleDescription;
}

/**
 * Runs `use` on a schedule the config declares and this installation created, then closes the
 * connection. An id the config does not declare is bad usage, checked before connecting.
 */
export async function withDeclaredSchedule(program: Command, id: string, use: (schedule: DeclaredSchedule) => Promise<void>): Promise<void> {
  const config = loadCliConfig(program.opts<GlobalOptions>());
  const declaration = config.schedules[id];
  if (!declaration) {
    throw new UsageError(`unknown schedule "${id}" (declared: ${Object.keys(config.schedules).sort().join(', ') || 'none'})`);
  }
  const temporal = await connectTemporal(config);
  try {
    const description = await describeSchedule(temporal.client.schedule, id);
    if (!description) throw new PreconditionFailed(`schedule "${id}" is declared but not in Temporal yet: run ops schedules apply`);
    const owner = ownerOf(description);
    if (owner !== temporal.taskQueue) {
      throw new PreconditionFailed(
        `schedule "${id}" in Temporal was not created by this ops (${owner ? `it belongs to task queue "${owner}"` : 'no ops marker'}); ops leaves it alone`,
      );
    }
    await use({ config, temporal, declaration, handle: temporal.client.schedule.getHandle(id), description });
  } finally {
    await temporal.close();
  }
}
