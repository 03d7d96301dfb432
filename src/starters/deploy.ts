import type { Command } from 'commander';
import { findApp, findStages } from '../config/lookups.js';
import { runSummary } from '../core/run-summary.js';
import { stagesToCheck } from '../core/promotion.js';
import { runUrl } from '../temporal/connection-settings.js';
import { workflowIds } from '../temporal/names.js';
import { deployInputFaults, deployInputSchema, describeDeployInputFaults, type DeployInput, type DeployResult } from '../contracts/deploy.js';
import { deployPipeline } from '../workflows/deploy-pipeline.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { registerDeployApprove } from './deploy-approve.js';
import { awaitPromotionCheck, explainFailure } from './deploy-outcome.js';
import { registerDeployStatus } from './deploy-status.js';
import { UsageError } from './exit-codes.js';
import { startUnderDeployLock } from './start-under-deploy-lock.js';
import { printStarted } from './started-run.js';
import { watchRun } from './watch-run.js';
import { whoIsActing } from './who.js';

interface DeployOptions {
  ref?: string;
  stages?: string;
  wait?: boolean;
  approve?: boolean;
  skipPromotionCheck?: boolean;
  migrate?: boolean;
  smokeLevel: string;
  by?: string;
}

export function registerDeploy(program: Command): void {
  const deploy = program
    .command('deploy')
    .description('promote a ref through the app\'s stages: sync, build, switch, health gate, smoke; roll back on failure')
    .argument('<app>', 'an app from the config')
    // Not requiredOption: commander would then demand it of `deploy status` and `deploy approve` too.
    .option('-r, --ref <ref>', 'git ref or SHA to deploy, required (resolved to a commit SHA at start)')
    .option('-s, --stages <list>', 'comma-separated stages (default: the app\'s order)')
    .option('-w, --wait', 'stream step progress and wait; exit 1 if the deploy failed and was rolled back, 5 if a stage was left broken')
    .option('--approve', 'pass every approval gate (for CI that already gated the run)')
    .option('--skip-promotion-check', 'deploy to the stages even if the SHA has not passed the ones before them (recorded in the report and releases.log)')
    .option('--migrate', 'run the app\'s migrate.command whatever changed (default: only when a migrate.when.paths path changed)')
    .option('--smoke-level <level>', 'smoke or standard', 'smoke')
    .option('--by <name>', 'who starts it (default: GITHUB_ACTOR or the OS user)')
    // `deploy approve APP --by X`: options after a subcommand belong to the subcommand.
    .enablePositionalOptions()
    .action(async (app: string, options: DeployOptions) => {
      const stages = options.stages?.split(',').map((s) => s.trim()).filter(Boolean);
      const input = deployInput(app, stages, options);
      const { ref } = input;
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const appConfig = findApp(config, app);
      findStages(config, app, stages ?? []);
      if (options.migrate && !appConfig.migrate) throw new UsageError(`--migrate: app "${app}" has no migrate: in the config`);

      const temporal = await connectTemporal(config);
      try {
        const workflowId = workflowIds.deploy(app);
        const url = runUrl(temporal.settings, workflowId);
        const handle = await startUnderDeployLock(
          temporal,
          app,
          config.timeZone,
          deployPipeline,
          { staticSummary: runSummary.deploy({ app, ref, stages: stages ?? appConfig.stages.map((s) => s.name) }), args: [{ ...input, ...(url ? { runUrl: url } : {}) }] },
          (holder) =>
            'locked' in holder
              ? `deploy refused: ${holder.locked}`
              : `a deploy of ${app} is already running since ${holder.running.since}: ${runUrl(temporal.settings, holder.running.workflowId, holder.running.runId) ?? `${holder.running.workflowId} (run ${holder.running.runId})`}`,
        );
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        const skipsStages = stages !== undefined && stagesToCheck(appConfig.stages.map((s) => s.name), stages).length > 0;
        if (!options.wait) {
          if (skipsStages && !options.skipPromotionCheck) await awaitPromotionCheck(handle);
          return;
        }
        const result = await watchRun<DeployResult>(handle, { settings: temporal.settings }).catch(async (err: unknown) => {
          throw await explainFailure(err, handle, config);
        });
        console.log(`deployed ${app} ${result.sha.slice(0, 12)}; report ${result.report}`);
      } finally {
        await temporal.close();
      }
    });
  registerDeployStatus(deploy, program);
  registerDeployApprove(deploy, program);
}

/** The run's input from the flags, checked by the DeployInput schema before the config is even read. */
function deployInput(app: string, stages: string[] | undefined, options: DeployOptions): DeployInput {
  const input = {
    app, ref: options.ref, ...(stages ? { stages } : {}), smokeLevel: options.smokeLevel, startedBy: whoIsActing(options.by), preApproved: options.approve === true,
    ...(options.skipPromotionCheck ? { skipPromotionCheck: true } : {}),
    ...(options.migrate ? { migrate: true } : {}),
  };
  const faults = deployInputFaults(input);
  if (faults.malformed.includes('ref')) throw new UsageError('deploy needs --ref <git ref or SHA>');
  if (faults.malformed.includes('smokeLevel')) throw new UsageError(`--smoke-level must be smoke or standard, got "${options.smokeLevel}"`);
  if (faults.malformed.includes('startedBy')) throw new UsageError('--by: expected a name to record as who started the deploy');
  if (faults.malformed.length > 0 || faults.unknownKeys.length > 0) throw new UsageError(describeDeployInputFaults(faults));
  return deployInputSchema.parse(input);
}
