import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { searchAttributes } from '../temporal/names.js';
import { innermostMessage } from '../workflows/progress.js';
import { approveUpdate } from '../workflows/restore-backup.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { whoIsActing } from './who.js';

/**
 * `ops restore approve TARGET [--reject]`: answers the gate a `--replace` restore of TARGET waits
 * at. Restore runs are one per start (restore-<target>-<stamp>), so the running ones of the
 * target are found by their search attributes; the one waiting at a gate takes the answer.
 */
export function registerRestoreApprove(restore: Command, program: Command): void {
  restore
    .command('approve')
    .description('answer the approval gate a running `ops restore --replace` waits at')
    .argument('<target>')
    .option('--reject', 'reject instead of approve: nothing is touched')
    .option('--reason <text>', 'why, recorded in the report')
    .option('--by <name>', 'who answers (default: GITHUB_ACTOR or the OS user)')
    .action(async (target: string, options: { reject?: boolean; reason?: string; by?: string }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const temporal = await connectTemporal(config);
      try {
        const ofTarget = `${searchAttributes.runKind.name} = 'restore' AND ${searchAttributes.target.name} = '${target.replace(/'/g, "\\'")}'`;
        const running: string[] = [];
        for await (const run of temporal.client.workflow.list({ query: `${ofTarget} AND ExecutionStatus = 'Running'` })) running.push(run.workflowId);
        if (running.length === 0) throw new UsageError(`no restore of ${target} is running${await latestEnded(temporal.client, ofTarget)}`);
        const decision = { approved: !options.reject, by: whoIsActing(options.by), ...(options.reason ? { reason: options.reason } : {}) };
        const refusals: string[] = [];
        for (const workflowId of running.sort()) {
          try {
            const { stage } = await temporal.client.workflow.getHandle(workflowId).executeUpdate(approveUpdate, { args: [decision] });
            console.log(`${decision.approved ? 'approved' : 'rejected'} ${stage} for ${workflowId} (by ${decision.by})`);
            return;
          } catch (err) {
            if (!(err instanceof WorkflowUpdateFailedError)) throw err;
            refusals.push(`${workflowId}: ${innermostMessage(err)}`);
          }
        }
        throw new UsageError(`restore of ${target}: ${refusals.join('; ')}`);
      } finally {
        await temporal.close();
      }
    });
}

/**
 * What became of the target's latest restore, for the answer that finds none running: a `--yes`
 * replace or a small restore often ends before anyone runs approve, and "none running" alone
 * reads as if it never started.
 */
async function latestEnded(client: Client, ofTarget: string): Promise<string> {
  let latest: { workflowId: string; status: string; closeTime?: Date | undefined; startTime: Date } | undefined;
  for await (const run of client.workflow.list({ query: ofTarget })) {
    if (!latest || run.startTime > latest.startTime) latest = { workflowId: run.workflowId, status: run.status.name, closeTime: run.closeTime, startTime: run.startTime };
  }
  if (!latest) return '';
  return ` (the latest, ${latest.workflowId}, ${latest.status.toLowerCase().replace(/_/g, ' ')}${latest.closeTime ? ` at ${latest.closeTime.toISOString()}` : ''})`;
}
