import type { Command } from 'commander';
import { stageHostsToActOn } from './stage-host-option.js';
import { runSummary } from '../core/run-summary.js';
import type { PruneResult } from '../activities/deploy/prune-releases.js';
import { pruneStage } from '../workflows/prune-stage.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { startUnderDeployLock } from './start-under-deploy-lock.js';
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
          const handle = await startUnderDeployLock(
            temporal,
            app,
            config.timeZone,
            pruneStage,
            { staticSummary: runSummary.prune({ app, stage: options.stage, dryRun }), args: [{ app, stage: options.stage, ...(host ? { host } : {}), ...(keep !== undefined ? { keep } : {}), dryRun }] },
            (holder) => `prune refused: ${'locked' in holder ? holder.locked : `a deploy or rollback of ${app} is running (${holder.running.workflowId}); prune after it ends`}`,
          );
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
