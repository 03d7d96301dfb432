import type { StageOutcome } from '../core/deploy-report.js';

export type SmokeLevel = 'smoke' | 'standard';

/** What starts a deploy: `ops deploy`, a deployPipeline schedule's args, scheduledDeploy. */
export interface DeployInput {
  app: string;
  ref: string;
  /** Default: the app's configured order, e.g. staging then prod. */
  stages?: string[];
  smokeLevel?: SmokeLevel;
  startedBy: string;
  /** Pass every approval gate (CI's `ops deploy --approve`). */
  preApproved?: boolean;
  /**
   * Deploy to a stage even when the SHA has not passed the stages before it that this run skips
   * (`--skip-promotion-check`); recorded in the report and in each releases.log entry.
   */
  skipPromotionCheck?: boolean;
  /** The Web UI page of the workflow id; the run adds its own run id, so the link names this run. */
  runUrl?: string;
}

export interface DeployResult {
  sha: string;
  outcome: StageOutcome;
  report: string;
}
