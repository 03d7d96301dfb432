import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { findTargets } from '../config/lookups.js';
import { MANUAL_RUN_SUFFIX, stampOf } from '../core/backup-id.js';
import { runSummary } from '../core/run-summary.js';
import type { ConnectionSettings } from '../temporal/connection-settings.js';
import { runUrl } from '../temporal/connection-settings.js';
import { workflowIds } from '../temporal/names.js';
import { nightlyBackup, type NightlyBackupResult } from '../workflows/nightly-backup.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { LockHeld } from './exit-codes.js';
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
      findTargets(config, options.target);
      const temporal = await connectTemporal(config);
      try {
        const targets = options.target.length > 0 ? options.target : config.targets.map((t) => t.name);
        // Refused before anything is started: a run that would back up nothing records, reports and alerts nothing.
        const running = await runningBackups(temporal.client, temporal.settings, targets);
        if (targets.length > 0 && running.length === targets.length) throw new LockHeld(running.join('; '));

        const workflowId = workflowIds.nightlyBackup(`${stampOf(new Date())}${MANUAL_RUN_SUFFIX}`);
        const url = runUrl(temporal.settings, workflowId);
        const handle = await temporal.client.workflow.start(nightlyBackup, {
          taskQueue: temporal.taskQueue,
          workflowId,
          staticSummary: runSummary.nightlyBackup({ targets: options.target }),
          args: [{ targets: options.target, ...(url ? { runUrl: url } : {}) }],
        });
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        if (!options.wait) return;
        const result = await watchRun<NightlyBackupResult>(handle, {
          settings: temporal.settings,
          // Only this run's own children, by the run id each target's step records: a refused target has none.
          related: (steps) =>
            steps.flatMap((s) => {
              if (!s.step.startsWith('target ') || s.runId === undefined) return [];
              const target = s.step.slice('target '.length);
              return [{ label: target, handle: temporal.client.workflow.getHandle(workflowIds.backupTarget(target), s.runId) }];
            }),
        });
        const skipped = result.targets.filter((t) => t.skipped);
        // The race the check above cannot close: another run took every target between the check and the start.
        if (result.report === undefined) throw new LockHeld(`nothing backed up: ${skipped.map((t) => `${t.target} ${t.skipped}`).join('; ')}`);
        const skippedNote = skipped.length > 0 ? `, ${skipped.length} skipped (${skipped.map((t) => `${t.target} ${t.skipped}`).join('; ')})` : '';
        console.log(`backup finished: ${result.targets.length - skipped.length} target(s) OK${skippedNote}; report ${result.report}`);
      } finally {
        await temporal.close();
      }
    });
}

/** "a backup of X is already running since …: <link>" for each target whose child run is going. */
async function runningBackups(client: Client, settings: ConnectionSettings, targets: string[]): Promise<string[]> {
  const running: string[] = [];
  for (const target of targets) {
    const description = await client.workflow
      .getHandle(workflowIds.backupTarget(target))
      .describe()
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
    if (description?.status.name !== 'RUNNING') continue;
    const link = runUrl(settings, description.workflowId, description.runId) ?? `${description.workflowId} (run ${description.runId})`;
    running.push(`a backup of ${target} is already running since ${description.startTime.toISOString()}: ${link}`);
  }
  return running;
}
