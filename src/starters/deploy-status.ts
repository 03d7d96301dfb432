import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/common';
import { formatLocalTime } from '../core/format.js';
import { heldDeployLock, lockedMessage } from '../temporal/deploy-lock-holder.js';
import { workflowIds } from '../temporal/names.js';
import { pendingApprovalQuery } from '../workflows/deploy-signals.js';
import { progressQuery } from '../workflows/progress.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { runLocation } from './started-run.js';
import { printTable } from './print-table.js';
import { UsageError } from './exit-codes.js';

/** The runs other than deployPipeline that may hold deploy-<app> and end as its latest run. */
const NOT_A_DEPLOY: Record<string, string> = { rollbackStage: 'a rollback (ops rollback)', pruneStage: 'a prune (ops prune)' };

export function registerDeployStatus(deploy: Command, program: Command): void {
  deploy
    .command('status')
    .description('the latest deploy or rollback of an app: state, steps, and any approval it waits for (with the ref and SHA)')
    .argument('<app>')
    .action(async (app: string) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const temporal = await connectTemporal(config);
      try {
        const handle = temporal.client.workflow.getHandle(workflowIds.deploy(app));
        const description = await handle.describe().catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) throw new UsageError(`no deploy of ${app} has run yet`);
          throw err;
        });
        if (description.type === 'deployLock' && description.status.name === 'RUNNING') {
          const lock = await heldDeployLock(temporal.client, app);
          if (lock) console.log(`${lockedMessage(lock, formatLocalTime(lock.since, config.timeZone))}`);
          return;
        }
        // Deploys, rollbacks and prunes share the app's lock id: say which one this run is.
        const notDeploy = NOT_A_DEPLOY[description.type];
        console.log(`${description.workflowId}: ${description.status.name}${notDeploy ? `, ${notDeploy}, not a deploy` : ''} (started ${formatLocalTime(description.startTime, config.timeZone)})`);
        console.log(`  ${runLocation(temporal.settings, description.workflowId, description.runId)}`);
        const steps = await handle.query(progressQuery).catch(() => []);
        printTable(['STEP', 'STATUS', 'DETAIL'], steps.map((s) => [s.step, s.status, s.detail ?? '']));
        const pending = description.status.name === 'RUNNING' ? await handle.query(pendingApprovalQuery).catch(() => null) : null;
        if (pending) {
          const release = pending.sha ? `: ref ${pending.ref} → ${pending.sha}` : '';
          console.log(`waiting for approval before ${pending.stage} since ${formatLocalTime(pending.since, config.timeZone)}${release}`);
          console.log(`  answer with: ops deploy approve ${app} [--reject]`);
        }
        const lastDeploy = join(config.reports, `deploy-${app}-latest.md`);
        if (notDeploy && existsSync(lastDeploy)) console.log(`the latest deploy's report: ${lastDeploy}`);
      } finally {
        await temporal.close();
      }
    });
}
