import type { Command } from 'commander';
import { findTarget } from '../config/lookups.js';
import { describeDestination } from '../config/offsite-destination.js';
import { stampOf } from '../core/backup-id.js';
import type { DrillRecord } from '../core/backup-health.js';
import { formatDuration } from '../core/format.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import { restoreDrill } from '../workflows/restore-drill.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description('restore drill: fetch a backup from the offsite copy, restore it into a scratch database, run every check')
    .option('-t, --target <name>', 'only backups of this target')
    .option('--pick <how>', 'random (within the window) or latest', 'random')
    .option('--window-days <n>', 'pick among backups of the last N days', '30')
    .option('--from <destination>', 'fetch from this backup.offsite destination (its URL); default the first that has the copy')
    .option('-w, --wait', 'stream step progress and wait; exit 1 if the drill failed')
    .action(async (options: { target?: string; pick: string; windowDays: string; from?: string; wait?: boolean }) => {
      if (options.pick !== 'random' && options.pick !== 'latest') throw new UsageError(`--pick must be random or latest, got "${options.pick}"`);
      const windowDays = Number(options.windowDays);
      if (!(windowDays > 0)) throw new UsageError(`--window-days must be a positive number, got "${options.windowDays}"`);
      const config = loadCliConfig(program.opts<GlobalOptions>());
      if (options.target) findTarget(config, options.target);
      const destinations = config.backup.offsite.map(describeDestination);
      if (options.from !== undefined && !destinations.includes(options.from)) throw new UsageError(`--from: no offsite destination "${options.from}" (configured: ${destinations.join(', ') || 'none'})`);
      const temporal = await connectTemporal(config);
      try {
        const workflowId = workflowIds.drill(`${stampOf(new Date())}-manual`);
        const handle = await temporal.client.workflow.start(restoreDrill, {
          taskQueue: temporal.taskQueue,
          workflowId,
          staticSummary: runSummary.restoreDrill(options),
          args: [{ ...(options.target ? { target: options.target } : {}), pick: options.pick, windowDays, ...(options.from !== undefined ? { from: options.from } : {}) }],
        });
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        if (!options.wait) return;
        const record = await watchRun<DrillRecord>(handle, { settings: temporal.settings });
        console.log(`drill passed: ${record.backupId} restored from the offsite copy in ${formatDuration(record.restoreSeconds ?? 0)}`);
      } finally {
        await temporal.close();
      }
    });
}
