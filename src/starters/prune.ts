import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Command } from 'commander';
import { stageHostsToActOn } from './stage-host-option.js';
import { formatLocalTime } from '../core/format.js';
import { runSummary } from '../core/run-summary.js';
import { heldDeployLock, lockedMessage } from '../temporal/deploy-lock-holder.js';
import { workflowIds } from '../temporal/names.js';
import type { PruneResult } from '../activities/deploy/prune-releases.js';
import { pruneStage } from '../workflows/prune-stage.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { LockHeld, UsageError } from './exit-codes.js';
import { watchRun } from './watch-run.js';

/**
 * `ops prune APP --stage S [--keep N] [--dry-run]`: a pruneStage run under the app's deploy id, so
 * it is refused (exit 3) while a deploy, rollback or lock holds it, and no deploy starts beside it.
 */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('remove old release dirs on a stage\'s host, as a deploy does (never current, the release it replaced or the rollback target)')
    .argument('<app>')
    .requiredOption('-s, --stage <stage>', 'the stage whose host to prune')
    .option('--keep <n>', 'release dirs to keep, at least 2 (default: the app\'s keepReleases)')
    .option('--host <name>', 'one host of a stage of several (default: every host, one after another)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(async (app: string, options: { stage: string; host?: string; keep?: string; dryRun?: boolean }) => {
      const keep = options.keep === undefined ? undefined : Number(options.keep);
      if (keep !== undefined && !(/^\d+$/.test(options.keep!) && keep >= 2)) throw new UsageError(`--keep must be a whole number of at least 2 (current and the release before it stay), got "${options.keep}"`);
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const hosts = stageHostsToActOn(config, app, options.stage, options.host);
      const dryRun = options.dryRun ?? false;
      const temporal = await connectTemporal(config);
      try {
        for (const host of hosts) {
          const workflowId = workflowIds.deploy(app);
          const handle = await temporal.client.workflow
            .start(pruneStage, {
              taskQueue: temporal.taskQueue,
              workflowId,
              workflowIdConflictPolicy: 'FAIL',
              workflowIdReusePolicy: 'ALLOW_DUPLICATE',
              staticSummary: runSummary.prune({ app, stage: options.stage, dryRun }),
              args: [{ app, stage: options.stage, ...(host ? { host } : {}), ...(keep !== undefined ? { keep } : {}), dryRun }],
            })
            .catch(async (err: unknown) => {
              if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
              const locked = await heldDeployLock(temporal.client, app);
              if (locked) throw new LockHeld(`prune refused: ${lockedMessage(locked, formatLocalTime(locked.since, config.timeZone))}`);
              throw new LockHeld(`prune refused: a deploy or rollback of ${app} is running (${workflowId}); prune after it ends`);
            });
          const result = await watchRun<PruneResult>(handle, { settings: temporal.settings });
          const verb = dryRun ? 'would remove' : 'removed';
          for (const sha of result.removed) console.log(`${verb} releases/${sha}`);
          console.log(`${app} on ${options.stage} (${result.host}): ${verb} ${result.removed.length}, kept ${result.kept.length} (keep ${result.keep}; current ${result.current?.slice(0, 12) ?? 'none'})`);
        }
      } finally {
        await temporal.close();
      }
    });
}
