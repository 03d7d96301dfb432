import type { Command } from 'commander';
import { findApp } from '../config/lookups.js';
import { formatLocalTime } from '../core/format.js';
import { runSummary } from '../core/run-summary.js';
import { heldDeployLock } from '../temporal/deploy-lock-holder.js';
import { searchAttributes, workflowIds } from '../temporal/names.js';
import { DEPLOY_LOCK_MEMO, deployLock, type DeployLockMemo } from '../workflows/deploy-lock.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { startUnderDeployLock } from './start-under-deploy-lock.js';
import { runLocation } from './started-run.js';
import { whoIsActing } from './who.js';

/**
 * `ops lock APP --reason TEXT` and `ops lock status APP`: a manual deploy lock for incidents, a
 * deployLock run under the app's deploy id until `ops unlock APP` releases it.
 */
export function registerLock(program: Command): void {
  const lock = program
    .command('lock')
    .description('lock an app\'s deploys (an incident): `ops deploy` and scheduled deploys are refused until `ops unlock`')
    .argument('<app>', 'an app from the config')
    .option('--reason <text>', 'why, shown to everyone refused (required)')
    .option('--by <name>', 'who locks it (default: GITHUB_ACTOR or the OS user)')
    .enablePositionalOptions()
    .action(async (app: string, options: { reason?: string; by?: string }) => {
      if (!options.reason?.trim()) throw new UsageError('lock needs --reason <text>: it is shown to everyone whose deploy is refused');
      const config = loadCliConfig(program.opts<GlobalOptions>());
      findApp(config, app);
      const temporal = await connectTemporal(config);
      try {
        const input = { app, by: whoIsActing(options.by), reason: options.reason.trim() };
        const memo: DeployLockMemo = { by: input.by, reason: input.reason };
        const workflowId = workflowIds.deploy(app);
        const handle = await startUnderDeployLock(
          temporal,
          app,
          config.timeZone,
          deployLock,
          {
            staticSummary: runSummary.deployLock(input),
            memo: { [DEPLOY_LOCK_MEMO]: memo },
            typedSearchAttributes: [
              { key: searchAttributes.app, value: app },
              { key: searchAttributes.runKind, value: 'deploy-lock' },
            ],
            args: [input],
          },
          (holder) =>
            'locked' in holder
              ? `already locked: ${holder.locked}`
              : `a deploy of ${app} is running: ${runLocation(temporal.settings, holder.running.workflowId, holder.running.runId)}; lock after it ends, or cancel it first`,
        );
        console.log(`locked deploys of ${app} (by ${input.by}): ${input.reason}`);
        console.log(`  ${runLocation(temporal.settings, workflowId, handle.firstExecutionRunId)}`);
        console.log(`  release with: ops unlock ${app}`);
      } finally {
        await temporal.close();
      }
    });

  lock
    .command('status')
    .description('whether an app\'s deploys are locked: by whom, why and since when')
    .argument('<app>')
    .action(async (app: string) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      findApp(config, app);
      const temporal = await connectTemporal(config);
      try {
        const held = await heldDeployLock(temporal.client, app);
        if (!held) {
          console.log(`deploys of ${app} are not locked`);
          return;
        }
        console.log(`deploys of ${app} are locked by ${held.by} since ${formatLocalTime(held.since, config.timeZone)}: ${held.reason}`);
        console.log(`  ${runLocation(temporal.settings, held.workflowId, held.runId)}`);
        console.log(`  release with: ops unlock ${app}`);
      } finally {
        await temporal.close();
      }
    });
}
