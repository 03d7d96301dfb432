import { resolve } from 'node:path';
import { parseLocation } from '../config/location.js';
import type { OpsConfig } from '../config/load-config.js';
import { formatDuration } from '../core/format.js';
import { describePick, type RestorePick } from '../core/restore-pick.js';
import type { RestoreRecord } from '../core/restore-report.js';
import type { RestoreSource } from '../core/restore-source.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import { restoreFiles } from '../workflows/restore-files.js';
import { connectTemporal } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { startStamped } from './start-stamped.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';

export interface FilesRestoreOptions {
  to?: string;
  dryRun?: boolean;
  delete?: boolean;
  wait?: boolean;
}

/**
 * `ops restore FILES_TARGET --to DIR [--from local|offsite[:DEST]]`: starts workflow restoreFiles. A dry run always waits, as
 * its answer is the itemized list; --wait prints each check's verdict.
 */
export async function startFilesRestore(config: OpsConfig, targetName: string, pick: RestorePick, from: RestoreSource | undefined, options: FilesRestoreOptions): Promise<void> {
  if (options.to === undefined) throw new UsageError(`target "${targetName}" is a files target: give --to DIR (a local directory or ssh://user@host:port/path)`);
  const to = destinationOf(options.to);
  const temporal = await connectTemporal(config);
  try {
    const handle = await startStamped((stamp, policy) =>
      temporal.client.workflow.start(restoreFiles, {
        taskQueue: temporal.taskQueue,
        workflowId: workflowIds.restore(targetName, stamp),
        ...policy,
        staticSummary: runSummary.restore(targetName, describePick(pick)),
        args: [{ target: targetName, pick, to, stamp, ...(from ? { from } : {}), ...(options.dryRun ? { dryRun: true } : {}), ...(options.delete ? { delete: true } : {}) }],
      }),
    );
    printStarted(temporal.settings, handle.workflowId, handle.firstExecutionRunId);
    if (!options.wait && !options.dryRun) return;
    const record = await watchRun<RestoreRecord>(handle, { settings: temporal.settings });
    if (options.dryRun) {
      const sealed = record.sealedChanges;
      const count = sealed?.count ?? record.changes?.length ?? 0;
      console.log(`dry run of ${record.backupId}${fetchedFrom(record)} to ${to}: nothing was changed; rsync would make ${count} change(s)${sealed ? ` (${sealed.detail})` : count > 0 ? ':' : ''}`);
      for (const line of record.changes ?? []) console.log(`  ${line}`);
      return;
    }
    for (const check of record.checks) console.log(`  ${check.passed ? 'PASS' : 'FAIL'} ${check.check}: ${check.detail}`);
    console.log(`restored ${record.backupId}${fetchedFrom(record)} to ${to}${options.delete ? ', files not in the snapshot deleted' : ''}`);
    console.log(`RTO ${formatDuration(record.rtoSeconds ?? 0)} (start to checked); report ${record.report}`);
  } finally {
    await temporal.close();
  }
}

/** A local path is made absolute here: the worker runs elsewhere, in another directory. */
function destinationOf(text: string): string {
  try {
    const location = parseLocation(text, process.cwd());
    return location.kind === 'local' ? resolve(location.path) : text;
  } catch (err) {
    throw new UsageError(`--to: ${(err as Error).message}`);
  }
}

function fetchedFrom(record: RestoreRecord): string {
  return record.from !== undefined ? ` (fetched from ${record.from})` : '';
}
