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
    .option('--reason <text>', 'why, recorded in the report')
    .option('--by <name>', 'who answers (default: GITHUB_ACTOR or the OS user)')
    .action(async (app: string, options: { reject?: boolean; reason?: string; by?: string }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const temporal = await connectTemporal(config);
      try {
        const decision = { approved: !options.reject, by: whoIsActing(options.by), ...(options.reason ? { reason: options.reason } : {}) };
        const { stage } = await temporal.client.workflow
          .getHandle(workflowIds.deploy(app))
          .executeUpdate(approveUpdate, { args: [decision] })
          .catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) throw new UsageError(`no deploy of ${app} is running`);
            if (err instanceof WorkflowUpdateFailedError) throw new UsageError(`deploy of ${app}: ${innermostMessage(err)}`);
            throw err;
          });
        console.log(`${decision.approved ? 'approved' : 'rejected'} ${app} before ${stage} (by ${decision.by})`);
      } finally {
        await temporal.close();
      }
    });
}
