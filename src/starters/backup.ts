import type { Command } from 'commander';
import { stampOf } from '../core/backup-id.js';
import { runUrl } from '../temporal/connection-settings.js';
import { workflowIds } from '../temporal/names.js';
import { nightlyBackup, type NightlyBackupResult } from '../workflows/nightly-backup.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('run the backup chain now: dump → offsite → verify-restore → retention → report')
    .option('-t, --target <name>', 'only this target (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('-w, --wait', 'stream step progress and wait for the result')
    .action(async (options: { target: string[]; wait?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const unknown = options.target.filter((name) => !config.targets.some((t) => t.name === name));
      if (unknown.length > 0) {
        throw new UsageError(`unknown target ${unknown.join(', ')} (configured: ${config.targets.map((t) => t.name).join(', ')})`);
      }
      const temporal = await connectTemporal(config);
      try {
        const workflowId = workflowIds.nightlyBackup(`${stampOf(new Date())}-manual`);
        const url = runUrl(temporal.settings, workflowId);
        const handle = await temporal.client.workflow.start(nightlyBackup, {
          taskQueue: temporal.taskQueue,
          workflowId,
          args: [{ targets: options.target, ...(url ? { runUrl: url } : {}) }],
        });
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        if (!options.wait) return;
        const result = await watchRun<NightlyBackupResult>(handle, {
          settings: temporal.settings,
          related: (steps) =>
            steps
              .filter((s) => s.step.startsWith('target ') && s.status !== 'pending')
              .map((s) => {
                const target = s.step.slice('target '.length);
                return { label: target, handle: temporal.client.workflow.getHandle(workflowIds.backupTarget(target)) };
              }),
        });
        console.log(`backup finished: ${result.targets.length} target(s) OK; report ${result.report}`);
      } finally {
        await temporal.close();
      }
    });
}
