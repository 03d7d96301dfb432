import type { Command } from 'commander';
import { stageHostsToActOn } from './stage-host-option.js';
import { runSummary } from '../core/run-summary.js';
import { shaPrefixProblem } from '../core/rollback-target.js';
import { runUrl } from '../temporal/connection-settings.js';
import { workflowIds } from '../temporal/names.js';
import { rollbackStage, type RollbackResult } from '../workflows/rollback-stage.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { explainFailure } from './deploy-outcome.js';
import { runLocation } from './started-run.js';
import { UsageError } from './exit-codes.js';
import { startUnderDeployLock } from './start-under-deploy-lock.js';
import { watchRun } from './watch-run.js';
import { whoIsActing } from './who.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('point a stage back at an earlier release still on its host, and pass the health gate')
    .argument('<app>')
    .requiredOption('-s, --stage <stage>', 'the stage to roll back')
    .option('--to <sha>', 'the release to go back to: a SHA or a unique prefix of 7+ characters (default: the last release healthy on the stage)')
    .option('--host <name>', 'one host of a stage of several (default: every host, one after another)')
    .option('--by <name>', 'who rolls back (default: GITHUB_ACTOR or the OS user)')
    .action(async (app: string, options: { stage: string; host?: string; to?: string; by?: string }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const hosts = stageHostsToActOn(config, app, options.stage, options.host);
      const badSha = options.to === undefined ? undefined : shaPrefixProblem(options.to);
      if (badSha) throw new UsageError(badSha);
      const temporal = await connectTemporal(config);
      try {
        // One run per host, one after another; the first that fails stops the rest.
        for (const host of hosts) {
          const on = host ? ` (${host})` : '';
          // The deploy id is the app's lock: a rollback never runs beside a deploy of the same app.
          const workflowId = workflowIds.deploy(app);
          const url = runUrl(temporal.settings, workflowId);
          const handle = await startUnderDeployLock(
            temporal,
            app,
            config.timeZone,
            rollbackStage,
            {
              staticSummary: runSummary.rollback({ app, stage: options.stage, to: options.to }),
              args: [{ app, stage: options.stage, ...(host ? { host } : {}), ...(options.to ? { to: options.to } : {}), startedBy: whoIsActing(options.by), ...(url ? { runUrl: url } : {}) }],
            },
            (holder) => ('locked' in holder ? `rollback refused: ${holder.locked}` : `a deploy or rollback of ${app} is already running (${holder.running.workflowId})`),
          );
          console.log(`started rollback ${workflowId}`);
          console.log(`  ${runLocation(temporal.settings, workflowId, handle.firstExecutionRunId)}`);
          const result = await watchRun<RollbackResult>(handle, { settings: temporal.settings }).catch(async (err: unknown) => {
            throw await explainFailure(err, handle, config);
          });
          console.log(`${app} on ${options.stage}${on}: rolled back from ${result.from?.slice(0, 12) ?? 'none'} to ${result.to.slice(0, 12)}, healthy; report ${result.report}`);
        }
      } finally {
        await temporal.close();
      }
    });
}
