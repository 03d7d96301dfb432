import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { workflowIds } from '../temporal/names.js';
import { approveUpdate } from '../workflows/deploy-signals.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { innermostMessage } from '../workflows/progress.js';
import { whoIsActing } from './who.js';

export function registerDeployApprove(deploy: Command, program: Command): void {
  deploy
    .command('approve')
    .description('answer the approval gate a running deploy waits at')
    .argument('<app>')
    .option('--reject', 'reject instead of approve')
    .option('--restore-db', 'approve the offered restore of the database from the pre-deploy backup (after a migrated stage failed)')
    .option('--reason <text>', 'why, recorded in the report')
    .option('--by <name>', 'who answers (default: GITHUB_ACTOR or the OS user)')
    .action(async (app: string, options: { reject?: boolean; restoreDb?: boolean; reason?: string; by?: string }) => {
      if (options.reject && options.restoreDb) throw new UsageError('--restore-db and --reject exclude each other');
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const temporal = await connectTemporal(config);
      try {
        const decision = { approved: !options.reject, by: whoIsActing(options.by), ...(options.reason ? { reason: options.reason } : {}), ...(options.restoreDb ? { restoreDb: true } : {}) };
        const { stage } = await temporal.client.workflow
          .getHandle(workflowIds.deploy(app))
          .executeUpdate(approveUpdate, { args: [decision] })
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) throw new UsageError(`no deploy of ${app} is running`);
            if (err instanceof WorkflowUpdateFailedError) throw new UsageError(`deploy of ${app}: ${innermostMessage(err)}`);
            throw err;
          });
        console.log(options.restoreDb ? `approved ${stage} of ${app} (by ${decision.by}): the restore runs in the deploy` : `${decision.approved ? 'approved' : 'rejected'} ${app} before ${stage} (by ${decision.by})`);
      } finally {
        await temporal.close();
      }
    });
}
