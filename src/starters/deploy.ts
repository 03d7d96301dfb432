import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { findApp, findStages } from '../config/lookups.js';
import { formatLocalTime } from '../core/format.js';
import { runSummary } from '../core/run-summary.js';
import { stagesToCheck } from '../core/promotion.js';
import type { ConnectionSettings } from '../temporal/connection-settings.js';
import { runUrl } from '../temporal/connection-settings.js';
import { heldDeployLock, lockedMessage } from '../temporal/deploy-lock-holder.js';
import { workflowIds } from '../temporal/names.js';
import { deployInputFaults, deployInputSchema, describeDeployInputFaults, type DeployInput, type DeployResult } from '../contracts/deploy.js';
import { deployPipeline } from '../workflows/deploy-pipeline.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { registerDeployApprove } from './deploy-approve.js';
import { awaitPromotionCheck, explainFailure } from './deploy-outcome.js';
import { registerDeployStatus } from './deploy-status.js';
import { LockHeld, UsageError } from './exit-codes.js';
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
        const handle = await temporal.client.workflow
          .start(deployPipeline, {
            taskQueue: temporal.taskQueue,
            workflowId,
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            staticSummary: runSummary.deploy({ app, ref, stages: stages ?? appConfig.stages.map((s) => s.name) }),
            args: [{ ...input, ...(url ? { runUrl: url } : {}) }],
          })
          .catch(async (err: unknown) => {
            if (err instanceof WorkflowExecutionAlreadyStartedError) throw await lockHeld(temporal.client, temporal.settings, app, config.timeZone);
            throw err;
          });
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

async function lockHeld(client: Client, settings: ConnectionSettings, app: string, timeZone: string): Promise<LockHeld> {
  const locked = await heldDeployLock(client, app);
  if (locked) return new LockHeld(`deploy refused: ${lockedMessage(locked, formatLocalTime(locked.since, timeZone))}`);
  const running = await client.workflow.getHandle(workflowIds.deploy(app)).describe();
  const link = runUrl(settings, running.workflowId, running.runId) ?? `${running.workflowId} (run ${running.runId})`;
  return new LockHeld(`a deploy of ${app} is already running since ${formatLocalTime(running.startTime, timeZone)}: ${link}`);
}
