import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { DumpResult, OffsiteFailure, TargetFailureDetails, VerifyRecord } from '../contracts/backup.js';
import type { BackupTrigger } from '../core/backup-id.js';
import { dumpSteps, longSteps, quickSteps, onRole } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<BackupActivities>(onRole('backup', quickSteps));
const long = proxyActivities<BackupActivities>(onRole('backup', longSteps));

export interface BackupTargetInput {
  target: string;
  stamp: string;
  offsite: boolean;
  /** the destinations to copy to, one activity each; absent in runs started before there could be several (one copy, to the first) */
  offsiteDestinations?: string[];
  /** backup.dumpTimeoutMinutes of the worker that planned the run; absent in runs started before it was passed */
  dumpTimeoutMinutes?: number;
  /** who started the chain, recorded in the manifest for retention; absent in runs started before it was passed */
  trigger?: BackupTrigger;
  /** A named backup retention holds for keepDays: a deploy's `pre-deploy-<app>-<sha>`. */
  tag?: { name: string; keepDays: number };
}

export interface BackupTargetResult {
  target: string;
  dump: DumpResult;
  verify: VerifyRecord['status'];
}

/**
 * One target through the chain: dump, offsite copy, verify-restore, then one line in the target's
 * run history. A failed offsite copy or verify does not stop the other steps, but the run ends
 * failed, naming every cause.
 */
export async function backupTarget(input: BackupTargetInput): Promise<BackupTargetResult> {
  const progress = trackProgress(['dump', 'offsite', 'verify']);
  const problems: string[] = [];
  const offsiteFailures: OffsiteFailure[] = [];
  const destinations = input.offsiteDestinations ?? [undefined];
  const several = destinations.length > 1;

  const dumper = proxyActivities<BackupActivities>(onRole('backup', dumpSteps(input.dumpTimeoutMinutes)));
  let dump: DumpResult;
  try {
    dump = await progress.run('dump', () => withSummary(dumper, `dump ${input.target}`).dumpTarget({ target: input.target, stamp: input.stamp, ...(input.trigger ? { trigger: input.trigger } : {}), ...(input.tag ? { tag: input.tag } : {}), run: workflowInfo().firstExecutionRunId }));
  } catch (err) {
    // The dump's failure is what this run reports; if its history line cannot be written either, that failure only goes uncounted.
    await withSummary(quick, `history of ${input.target}`).recordBackupRun({ target: input.target, kind: 'backup', dump: 'failed', verify: 'none', reason: innermostMessage(err) }).catch(() => undefined);
    throw err;
  }
  const { backupId } = dump;

  if (input.offsite) {
    // Each destination on its own: one that fails (and is retried until it gives up) does not stop the next.
    await progress.run(
      'offsite',
      async () => {
        for (const destination of destinations) {
          const named = destination !== undefined ? { destination } : {};
          try {
            await withSummary(long, `offsite ${backupId}${several ? ` to ${destination}` : ''}`).copyOffsite({ backupId, ...named });
          } catch (err) {
            const error = innermostMessage(err);
            offsiteFailures.push({ destination: destination ?? 'offsite', error });
            problems.push(`offsite copy ${several ? `to ${destination} ` : ''}failed: ${error}`);
            await withSummary(quick, `offsite failure of ${backupId}`).recordOffsiteFailure({ backupId, error, ...named });
          }
        }
      },
      () => (offsiteFailures.length > 0 ? offsiteFailures.map((f) => (several ? `${f.destination}: ${f.error}` : f.error)).join('; ') : undefined),
    );
  } else {
    progress.mark('offsite', 'skipped', 'no backup.offsite configured');
  }

  let verify: VerifyRecord;
  try {
    verify = await progress.run('verify', () => withSummary(long, `verify ${backupId}`).verifyBackup({ backupId, workflowId: workflowInfo().workflowId }), (v) => (v.status === 'passed' ? undefined : v.reasons.join('; ')));
  } catch (err) {
    verify = await withSummary(quick, `verify error of ${backupId}`).recordVerifyError({ backupId, error: `verify could not run: ${innermostMessage(err)}`, workflowId: workflowInfo().workflowId });
  }
  const verifyPassed = verify.status === 'passed';
  if (!verifyPassed) {
    progress.mark('verify', 'failed', verify.reasons.join('; '));
    problems.push(`verify failed: ${verify.reasons.join('; ')}`);
  }

  const outcome = { target: input.target, kind: 'backup', backupId, dump: 'ok', verify: verifyPassed ? 'passed' : 'failed' } as const;
  // Health counts failures from the history: a run it does not know of must not pass unnoticed.
  await withSummary(quick, `history of ${input.target}`).recordBackupRun({ ...outcome, ...(verifyPassed ? {} : { reason: verify.reasons.join('; ') }) }).catch((err: unknown) => {
    problems.push(`run history not recorded: ${innermostMessage(err)}`);
  });

  if (problems.length > 0) {
    const offsiteFailed = offsiteFailures.length > 0;
    const details: TargetFailureDetails = { failedStep: offsiteFailed ? 'offsite' : verifyPassed ? 'history' : 'verify', ...(offsiteFailed && several ? { offsiteFailures } : {}) };
    throw ApplicationFailure.create({ type: 'BackupFailed', message: `${input.target}: ${problems.join('; ')}`, nonRetryable: true, details: [details] });
  }
  return { target: input.target, dump, verify: verify.status };
}
