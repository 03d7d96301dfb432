import type { WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { findTarget } from '../config/lookups.js';
import { describeDestination } from '../config/offsite-destination.js';
import { isDatabase } from '../config/target.js';
import { backupIdProblem } from '../core/backup-id.js';
import { formatDuration } from '../core/format.js';
import { beforeTimeProblem, databaseNameProblem, describePick, parseBeforeTime, type RestorePick } from '../core/restore-pick.js';
import type { RestoreRecord } from '../core/restore-report.js';
import { parseRestoreSource } from '../core/restore-source.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import { progressQuery, type StepProgress } from '../workflows/progress.js';
import { restoreBackup } from '../workflows/restore-backup.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { RunFailed, UsageError } from './exit-codes.js';
import { runFailureOf } from './run-failure.js';
import { printStarted } from './started-run.js';
import { startStamped } from './start-stamped.js';
import { watchRun } from './watch-run.js';
import { whoIsActing } from './who.js';
import { registerRestoreApprove } from './restore-approve.js';
import { startFilesRestore } from './restore-files.js';

interface RestoreOptions {
  backup?: string;
  latest?: boolean;
  before?: string;
  from?: string;
  into?: string;
  to?: string;
  dryRun?: boolean;
  delete?: boolean;
  replace?: boolean;
  server?: string;
  yes?: boolean;
  approvalTimeout?: string;
  by?: string;
  wait?: boolean;
}

export function registerRestore(program: Command): void {
  const restore = program
    .command('restore')
    .description('restore a database backup into a new database on its server, or a files snapshot into a directory, checked against the manifest')
    .argument('<target>', 'a database target of the config')
    .option('--backup <id>', 'this backup (see `ops backups list`)')
    .option('--latest', 'the newest verified backup')
    .option('--before <iso-time>', 'the newest verified backup finished before this time, e.g. 2026-12-01T08:00:00Z')
    .option('--from <source>', 'local or offsite[:<destination>] (a backup.offsite URL); default local, else offsite when the repository has none that qualifies')
    .option('--into <name>', 'the database restored into (default <db>_restored_<stamp>, with --replace the target\'s own); an existing non-empty one needs --replace')
    .option('--to <dir>', 'files target: the directory restored into, local or ssh://user@host:port/path')
    .option('--dry-run', 'files target: print rsync\'s itemized changes and change nothing')
    .option('--delete', 'files target: delete files the snapshot lacks (kept without it)')
    .option('--server <name>', 'restore onto the config\'s restore.servers.NAME instead of the target\'s own server (its password stays on the worker)')
    .option('--replace', 'go over an existing non-empty database once approved (`ops restore approve TARGET`); the old one is kept as <db>_before_restore_<stamp>')
    .option('--yes', 'with --replace: approve it now, for scripts (recorded with who ran it)')
    .option('--approval-timeout <minutes>', 'with --replace: how long to wait for an answer; none is a refusal', '30')
    .option('--by <name>', 'who runs it, recorded with --yes (default: GITHUB_ACTOR or the OS user)')
    .option('-w, --wait', 'stream step progress, wait, print each check and the RTO; exit 1 if the restore failed or was refused')
    .action(async (targetName: string, options: RestoreOptions) => {
      const pick = pickOf(options);
      const from = options.from === undefined ? undefined : parseRestoreSource(options.from);
      if (options.from !== undefined && !from) throw new UsageError(`--from "${options.from}" is not local, offsite or offsite:<destination>`);
      if (options.into !== undefined) {
        const problem = databaseNameProblem(options.into);
        if (problem) throw new UsageError(`--into: ${problem}`);
      }
      if (options.yes && !options.replace) throw new UsageError('--yes approves a --replace: give --replace too');
      const approvalTimeoutMinutes = Number(options.approvalTimeout);
      if (!(approvalTimeoutMinutes > 0)) throw new UsageError(`--approval-timeout "${options.approvalTimeout}" is not a positive number of minutes`);
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const target = findTarget(config, targetName);
      if ('backupId' in pick) {
        const problem = backupIdProblem(pick.backupId, targetName);
        if (problem) throw new UsageError(`--backup: ${problem}`);
      }
      if (from && 'destination' in from && from.destination !== undefined) {
        const destinations = config.backup.offsite.map(describeDestination);
        if (!destinations.includes(from.destination)) throw new UsageError(`--from: no offsite destination "${from.destination}" in backup.offsite (configured: ${destinations.join(', ') || 'none'})`);
      }
      if (!isDatabase(target)) {
        if (options.into !== undefined || options.replace || options.server !== undefined) throw new UsageError(`target "${targetName}" is a files target: --into, --replace and --server are for databases; give --to DIR`);
        return startFilesRestore(config, targetName, pick, from, options);
      }
      if (options.server !== undefined && !config.restore.servers[options.server]) throw new UsageError(`--server ${options.server}: no restore.servers.${options.server} in the config`);
      if (options.to !== undefined || options.dryRun || options.delete) throw new UsageError(`target "${targetName}" is a database: --to, --dry-run and --delete are for files targets; give --into NAME`);
      const temporal = await connectTemporal(config);
      try {
        const handle = await startStamped((stamp, policy) => temporal.client.workflow.start(restoreBackup, {
          taskQueue: temporal.taskQueue,
          workflowId: workflowIds.restore(targetName, stamp),
          ...policy,
          staticSummary: runSummary.restore(targetName, describePick(pick)),
          args: [
            {
              target: targetName,
              pick,
              stamp,
              ...(from ? { from } : {}),
              ...(options.into !== undefined ? { into: options.into } : {}),
              ...(options.replace ? { replace: true, approvalTimeoutMinutes } : {}),
              ...(options.server !== undefined ? { server: options.server } : {}),
              ...(options.yes ? { yes: { by: whoIsActing(options.by) } } : {}),
            },
          ],
        }));
        printStarted(temporal.settings, handle.workflowId, handle.firstExecutionRunId);
        // Refused for an existing database is known within seconds: exit 2 then, with or without --wait.
        await awaitPlan(handle);
        if (options.replace && !options.yes) console.log(`replacing a database that has tables waits up to ${approvalTimeoutMinutes} min for: ops restore approve ${targetName} [--reject]`);
        if (!options.wait) return;
        const record = await watchRun<RestoreRecord & { steps: StepProgress[] }>(handle, { finalSteps: (run) => run.steps }).catch(async (err: unknown) => {
          throw (await runFailureOf(handle).catch(() => undefined))?.innermostType === 'NeedsReplace' ? new UsageError((err as Error).message) : err;
        });
        if (record.status === 'refused') throw new RunFailed(record.reasons.join('; '));
        for (const check of record.checks) console.log(`  ${check.passed ? 'PASS' : 'FAIL'} ${check.check}: ${check.detail}`);
        if (record.replaced) console.log(`replaced ${record.database} on ${record.server} with ${record.backupId}; the old database is kept as ${record.replaced.keptAs}`);
        else console.log(`restored ${record.backupId} into new database ${record.database} on ${record.server}`);
        console.log(`RTO ${formatDuration(record.rtoSeconds ?? 0)} (start to checked); report ${record.report}`);
      } finally {
        await temporal.close();
      }
    });
  registerRestoreApprove(restore, program);
}

/** Waits for the run's pick step (seconds): a NeedsReplace refusal there is bad usage, exit 2. */
async function awaitPlan(handle: WorkflowHandle): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 300))) {
    const pick = (await handle.query(progressQuery).catch(() => undefined))?.find((s) => s.step === 'pick');
    if (pick?.status === 'done') return;
    if (pick?.status === 'failed') {
      if ((await runFailureOf(handle).catch(() => undefined))?.innermostType === 'NeedsReplace') throw new UsageError(pick.detail ?? 'the database exists: give --replace');
      return;
    }
  }
}

/** Exactly one of --backup, --latest, --before. */
function pickOf(options: RestoreOptions): RestorePick {
  const given = [options.backup !== undefined, options.latest === true, options.before !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --backup ID, --latest, --before ISO-TIME');
  if (options.backup !== undefined) return { backupId: options.backup };
  if (options.latest) return { latest: true };
  if (!parseBeforeTime(options.before!)) throw new UsageError(beforeTimeProblem(options.before!));
  return { before: options.before! };
}
