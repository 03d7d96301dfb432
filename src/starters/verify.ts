import type { Command } from 'commander';
import { stampOf } from '../core/backup-id.js';
import type { VerifyRecord } from '../core/backup-record.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import { verifyBackupRun } from '../workflows/verify-backup.js';
import { backupArgument } from './backup-argument.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify-restore one backup into a scratch database and check it against its manifest')
    .argument('<backup-id>', 'e.g. app-db-20261122T020000Z (see `ops backups list`)')
    .option('-w, --wait', 'stream step progress and wait for the result')
    .action(async (backupId: string, options: { wait?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      // A run for a backup that is not there could only fail: refused here.
      await backupArgument(config, backupId);
      const temporal = await connectTemporal(config);
      try {
        const workflowId = workflowIds.verify(backupId, stampOf(new Date()));
        const handle = await temporal.client.workflow.start(verifyBackupRun, { taskQueue: temporal.taskQueue, workflowId, staticSummary: runSummary.verify(backupId), args: [{ backupId }] });
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        if (!options.wait) return;
        const record = await watchRun<VerifyRecord>(handle, { settings: temporal.settings });
        console.log(`verify passed: restored in ${record.restoreSeconds?.toFixed(1) ?? '?'}s, every table's row count matches`);
      } finally {
        await temporal.close();
      }
    });
}
