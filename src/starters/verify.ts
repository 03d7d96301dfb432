import type { Command } from 'commander';
import { BackupRepository } from '../records/backup-repository.js';
import type { OpsConfig } from '../config/load-config.js';
import { parseBackupId, stampOf } from '../core/backup-id.js';
import type { VerifyRecord } from '../core/backup-record.js';
import { PreconditionFailed } from '../core/errors.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import { verifyBackupRun } from '../workflows/verify-backup.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify-restore one backup into a scratch database and check it against its manifest')
    .argument('<backup-id>', 'e.g. app-db-20261122T020000Z (see `ops backups list`)')
    .option('-w, --wait', 'stream step progress and wait for the result')
    .action(async (backupId: string, options: { wait?: boolean }) => {
      const { target } = backupIdArgument(backupId);
      const config = loadCliConfig(program.opts<GlobalOptions>());
      await requireBackup(config, backupId, target);
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

function backupIdArgument(backupId: string): { target: string; stamp: string } {
  try {
    return parseBackupId(backupId);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A well-formed id of a backup that does not exist would start a run that can only fail: refuse it here. */
async function requireBackup(config: OpsConfig, backupId: string, target: string): Promise<void> {
  try {
    await new BackupRepository(config.repository).get(backupId);
  } catch (err) {
    if (err instanceof PreconditionFailed) throw new UsageError(`no backup ${backupId} of target ${target} in ${config.repository} (ops backups list --target ${target} lists them)`);
    throw err;
  }
}
