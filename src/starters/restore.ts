import type { Command } from 'commander';
import { isDatabase } from '../config/target.js';
import { stampOf } from '../core/backup-id.js';
import { formatDuration } from '../core/format.js';
import { databaseNameProblem, describePick, parseBeforeTime, type RestorePick } from '../core/restore-pick.js';
import type { RestoreRecord } from '../core/restore-report.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import { restoreBackup } from '../workflows/restore-backup.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';

interface RestoreOptions {
  backup?: string;
  latest?: boolean;
  before?: string;
  into?: string;
  wait?: boolean;
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore a backup of a database target into a new database on its server, checked against the manifest')
    .argument('<target>', 'a database target of the config')
    .option('--backup <id>', 'this backup (see `ops backups list`)')
    .option('--latest', 'the newest verified backup')
    .option('--before <iso-time>', 'the newest verified backup finished before this time, e.g. 2026-12-01T08:00:00Z')
    .option('--into <name>', 'the new database (default <db>_restored_<stamp>); an existing one is refused')
    .option('-w, --wait', 'stream step progress, wait, print each check and the RTO; exit 1 if the restore failed')
    .action(async (targetName: string, options: RestoreOptions) => {
      const pick = pickOf(options);
      if (options.into !== undefined) {
        const problem = databaseNameProblem(options.into);
        if (problem) throw new UsageError(`--into: ${problem}`);
      }
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const target = config.targets.find((t) => t.name === targetName);
      if (!target) throw new UsageError(`unknown target "${targetName}"`);
      if (!isDatabase(target)) throw new UsageError(`target "${targetName}" is a files target: ops restore restores databases (files snapshots not yet)`);
      const temporal = await connectTemporal(config);
      try {
        const stamp = stampOf(new Date());
        const workflowId = workflowIds.restore(targetName, stamp);
        const handle = await temporal.client.workflow.start(restoreBackup, {
          taskQueue: temporal.taskQueue,
          workflowId,
          staticSummary: runSummary.restore(targetName, describePick(pick)),
          args: [{ target: targetName, pick, stamp, ...(options.into !== undefined ? { into: options.into } : {}) }],
        });
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        if (!options.wait) return;
        const record = await watchRun<RestoreRecord>(handle);
        for (const check of record.checks) console.log(`  ${check.passed ? 'PASS' : 'FAIL'} ${check.check}: ${check.detail}`);
        console.log(`restored ${record.backupId} into new database ${record.database} on ${record.server}`);
        console.log(`RTO ${formatDuration(record.rtoSeconds ?? 0)} (start to checked); report ${record.report}`);
      } finally {
        await temporal.close();
      }
    });
}

/** Exactly one of --backup, --latest, --before. */
function pickOf(options: RestoreOptions): RestorePick {
  const given = [options.backup !== undefined, options.latest === true, options.before !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --backup ID, --latest, --before ISO-TIME');
  if (options.backup !== undefined) return { backupId: options.backup };
  if (options.latest) return { latest: true };
  if (!parseBeforeTime(options.before!)) throw new UsageError(`--before "${options.before}" is not an ISO time such as 2026-12-01T08:00:00Z`);
  return { before: options.before! };
}
