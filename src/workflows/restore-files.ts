import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RestoreActivities } from '../activities/restore/restore-activities.js';
import type { FilesRestoreActivities } from '../activities/restore/restore-files.js';
import { stampOf } from '../core/backup-id.js';
import type { CheckVerdict } from '../core/check-verdicts.js';
import { describePick, type RestorePick } from '../core/restore-pick.js';
import type { RestoreRecord } from '../core/restore-report.js';
import type { RestoreSource } from '../core/restore-source.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps, onRole } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';
import { failureType } from './restore-backup.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<FilesRestoreActivities & RestoreActivities>(onRole('backup', quickSteps));
const long = proxyActivities<FilesRestoreActivities>(onRole('backup', longSteps));

export interface RestoreFilesInput {
  target: string;
  pick: RestorePick;
  /** absent: local, else offsite when the repository has no snapshot that qualifies */
  from?: RestoreSource;
  /** an absolute local path or ssh://user@host:port/path */
  to: string;
  dryRun?: boolean;
  /** delete files the snapshot lacks; without it they are kept */
  delete?: boolean;
  /** names the report; default the run's start */
  stamp?: string;
}

/**
 * `ops restore` of a files target: pick a snapshot (local or offsite), fetch an offsite one and
 * check every file against its manifest before anything is written, rsync it into the directory (a dry run lists
 * the changes and makes none), then check every file there against the manifest's sha256, one
 * verdict per check, and report.
 */
export async function restoreFiles(input: RestoreFilesInput): Promise<RestoreRecord> {
  const progress = trackProgress(['pick', 'restore and check', 'report']);
  const started = new Date();
  const stamp = input.stamp ?? stampOf(started);
  upsertSearchAttributes([
    { key: searchAttributes.target, value: [input.target] },
    { key: searchAttributes.runKind, value: 'restore' },
  ]);
  const dryRun = input.dryRun === true;
  const base = {
    workflowId: workflowInfo().workflowId, target: input.target, pick: describePick(input.pick), startedAt: started.toISOString(),
    to: input.to, ...(dryRun ? { dryRun } : {}), ...(input.delete ? { deleted: true } : {}),
  };
  let backupId: string | undefined;
  let from: string | undefined;
  let record: RestoreRecord;
  let failure: unknown;
  try {
    ({ backupId, from } = await progress.run('pick', () => withSummary(quick, `pick a snapshot of ${input.target} (${base.pick})`).planFilesRestore({ target: input.target, pick: input.pick, ...(input.from ? { from: input.from } : {}) })));
    const id = backupId;
    const fetchFrom = from;
    const result = await progress.run(
      'restore and check',
      () => withSummary(long, `${dryRun ? 'dry run of ' : ''}restore ${id}${fetchFrom !== undefined ? ` fetched from ${fetchFrom}` : ''} to ${input.to}`).restoreSnapshot({
          backupId: id, to: input.to, dryRun, delete: input.delete === true, stamp, ...(fetchFrom !== undefined ? { from: fetchFrom } : {}),
        }),
      (r) => (r.checks.every((c) => c.passed) ? undefined : r.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.detail}`).join('; ')),
    );
    const checkedAt = new Date();
    const checks = result.fetched ? [fetchedVerdict(result.fetched), ...result.checks] : result.checks;
    const failed = checks.filter((c) => !c.passed);
    record = {
      ...base, backupId, ...(from !== undefined ? { from } : {}), status: failed.length === 0 ? 'passed' : 'failed', kept: !dryRun, finishedAt: checkedAt.toISOString(),
      checks, reasons: failed.map((c) => `${c.check}: ${c.detail}`), changes: result.changes, ...(result.sealedChanges ? { sealedChanges: result.sealedChanges } : {}), restoreSeconds: result.restoreSeconds,
      ...(failed.length === 0 && !dryRun ? { rtoSeconds: (checkedAt.getTime() - started.getTime()) / 1000 } : {}),
    };
  } catch (err) {
    failure = err;
    progress.skipPending('not run: the pick failed', ['report']);
    record = { ...base, ...(backupId ? { backupId } : {}), ...(from !== undefined ? { from } : {}), status: 'failed', kept: false, finishedAt: new Date().toISOString(), checks: [], reasons: [innermostMessage(err)] };
  }
  const { report } = await progress.run('report', () => withSummary(quick, `report restore of ${input.target}`).writeRestoreReport({ record, stamp }));
  record = { ...record, report };
  if (record.status !== 'passed') {
    throw ApplicationFailure.create({ type: failureType(failure), nonRetryable: true, message: `restore of ${record.backupId ?? input.target} to ${input.to} failed: ${record.reasons.join('; ')}`, details: [record] });
  }
  return record;
}

/** The fetched copy passed before rsync ran (a failing one stops the step): its verdict leads the checks. */
function fetchedVerdict(fetched: { from: string; files: number }): CheckVerdict {
  return { check: 'fetched copy', passed: true, detail: `${fetched.files} file(s) match the manifest's sha256 (fetched from ${fetched.from})` };
}
