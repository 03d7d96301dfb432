import type { OpsConfig } from '../../config/load-config.js';
import type { DeployReport } from '../../core/deploy-report.js';
import { PreconditionFailed } from '../../core/errors.js';
import type { ReleaseLogEntry } from '../../core/release-log.js';
import { stagesToCheck } from '../../core/promotion.js';
import type { RollbackReport } from '../../core/rollback-report.js';
import { postToSlack } from '../notify/slack.js';
import { buildRelease, currentRelease, switchRelease, type SwitchInput } from './build-and-switch.js';
import { checkPromotion } from './check-promotion.js';
import { writeDeployReport } from './deploy-report.js';
import { checkHealth } from './health-gate.js';
import { prepareRelease, resolveRef } from './prepare-release.js';
import { readReleaseLog, readReleaseState, recordRelease } from '../../records/release-log.js';
import { writeRollbackReport } from './rollback-report.js';
import { planMigration, type PlanMigrationInput } from './plan-migration.js';
import { runMigration } from './run-migration.js';
import { runSmoke } from './run-smoke.js';
import { shipImages } from './ship-images.js';
import { deployInputFaults, deployInputSchema, describeDeployInputFaults, type SmokeLevel } from '../../contracts/deploy.js';
import { findApp, findStages, stageHosts } from '../../config/lookups.js';
import { stageTarget } from './stage-target.js';
import { syncRelease } from './sync-release.js';
import { pruneReleases, type PruneInput } from './prune-releases.js';

/** A stage's step on one of its hosts; without `host`, on the stage's first (a run started before stages had several). */
type StageInput = { app: string; stage: string; host?: string };

/** The part of DeployInput the workflow hands planDeploy. */
const PLANNED_INPUT = deployInputSchema.pick({ app: true, stages: true, migrate: true });

/** The deploy pipeline's activities, bound to one loaded config. Workflows pass names and SHAs only. */
export function createDeployActivities(config: OpsConfig) {
  return {
    /**
     * Which stages, in order (unknown names are refused here, before anything runs), and the
     * earlier stages the run skips, whose logs must show the SHA passed them.
     */
    async planDeploy(input: { app: string; stages?: string[]; migrate?: boolean }) {
      // The workflow's input came from any client that could start it, not only `ops deploy`.
      const faults = deployInputFaults(input, PLANNED_INPUT);
      if (faults.malformed.length > 0 || faults.unknownKeys.length > 0) throw new PreconditionFailed(describeDeployInputFaults(faults));
      const app = findApp(config, input.app);
      const order = app.stages.map((s) => s.name);
      const names = input.stages && input.stages.length > 0 ? input.stages : order;
      // Each stage's hosts in rollout order, each one resolved here so a bad host fails the plan, not a half-done stage.
      const hosts = Object.fromEntries(findStages(config, app.name, names).map((stage) => {
        const hostNames = stageHosts(stage).map((entry) => stageTarget(config, app.name, stage.name, entry.host).hostName);
        return [stage.name, { names: hostNames, parallel: stage.rollout.parallel }];
      }));
      if (input.migrate && !app.migrate) throw new PreconditionFailed(`--migrate: app "${app.name}" has no migrate: in the config`);
      // Only an app with a migration gets the step: a run of any other app has the same history as before it existed.
      const migration = app.migrate ? { migration: { database: app.migrate.database, keepDays: app.migrate.keepDays } } : {};
      return { ...migration, stages: names, hosts, promotionStages: stagesToCheck(order, names), approvalBefore: app.approval.before, approvalTimeoutMinutes: app.approval.timeoutMinutes, buildOnce: app.build.once, notifySuccess: config.notify.slack?.deploySuccess ?? false };
    },
    resolveRef: (input: { app: string; ref: string }) => resolveRef(config, input),
    checkPromotion: (input: { app: string; sha: string; stages: string[] }) => checkPromotion(config, input),
    prepareRelease: (input: { app: string; sha: string }) => prepareRelease(config, input),
    planMigration: (input: PlanMigrationInput) => planMigration(config, input),
    runMigration: (input: StageInput & { sha: string }) => runMigration(config, input),
    syncRelease: (input: StageInput & { sha: string }) => syncRelease(config, input),
    buildRelease: (input: StageInput & { sha: string }) => buildRelease(config, input),
    shipImages: (input: StageInput & { sha: string; from: string; fromHost?: string }) => shipImages(config, input),
    currentRelease: (input: StageInput) => currentRelease(config, input),
    switchRelease: (input: SwitchInput) => switchRelease(config, input),
    checkHealth: (input: StageInput) => checkHealth(config, input),
    runSmoke: (input: StageInput & { sha: string; level: SmokeLevel }) => runSmoke(config, input),
    recordRelease: (entry: Omit<ReleaseLogEntry, 'at'>, prune?: string[], host?: string) => recordRelease(config, entry, prune, host),
    readReleaseLog: (input: StageInput) => readReleaseLog(config, input),
    readReleaseState: (input: StageInput) => readReleaseState(config, input),
    pruneReleases: (input: PruneInput) => pruneReleases(config, input),
    writeRollbackReport: (report: RollbackReport) => writeRollbackReport(config, report),
    writeDeployReport: (report: DeployReport) => writeDeployReport(config, report),
    postToSlack: (input: { text: string }) => postToSlack(config, input),
  };
}

export type DeployActivities = ReturnType<typeof createDeployActivities>;
