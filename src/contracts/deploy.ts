import { z } from 'zod';
import type { StageOutcome } from '../core/deploy-report.js';

export const SMOKE_LEVELS = ['smoke', 'standard'] as const;
export type SmokeLevel = (typeof SMOKE_LEVELS)[number];

const nonBlank = z.string().refine((value) => value.trim() !== '');

/**
 * What starts a deploy, as one schema: `ops deploy` checks what it starts, a deployPipeline
 * schedule's args are checked when the config loads (they reach the workflow unchecked months
 * later), and planDeploy checks what reached the workflow. Unknown keys are refused: a misspelt
 * `stage: prod` would otherwise deploy every stage. Whether the app and its stages exist is the
 * config's to say (config/lookups.ts), not the shape's.
 */
export const deployInputSchema = z.strictObject({
  app: z.string(),
  ref: nonBlank,
  /** Default: the app's configured order, e.g. staging then prod. */
  stages: z.array(z.string()).optional(),
  smokeLevel: z.enum(SMOKE_LEVELS).optional(),
  startedBy: nonBlank,
  /** Pass every approval gate (CI's `ops deploy --approve`). */
  preApproved: z.boolean().optional(),
  /**
   * Deploy to a stage even when the SHA has not passed the stages before it that this run skips
   * (`--skip-promotion-check`); recorded in the report and in each releases.log entry.
   */
  skipPromotionCheck: z.boolean().optional(),
  /** Run the app's migration whatever changed (`ops deploy --migrate`). */
  migrate: z.boolean().optional(),
  /** The Web UI page of the workflow id; the run adds its own run id, so the link names this run. */
  runUrl: z.string().optional(),
});

export type DeployInput = z.infer<typeof deployInputSchema>;
export type DeployInputKey = keyof DeployInput;
export const DEPLOY_INPUT_KEYS = Object.keys(deployInputSchema.shape) as DeployInputKey[];

export interface DeployInputFaults {
  /** keys DeployInput does not take, as given */
  unknownKeys: string[];
  /** keys whose value is missing or malformed, in DEPLOY_INPUT_KEYS order */
  malformed: DeployInputKey[];
}

/** What is wrong with `value` as a DeployInput (a schema may pick the keys a step gets); each caller words it for its own user. */
export function deployInputFaults(value: unknown, schema: z.ZodType = deployInputSchema): DeployInputFaults {
  const result = schema.safeParse(value);
  if (result.success) return { unknownKeys: [], malformed: [] };
  const unknownKeys = result.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
  const faulty = new Set(result.error.issues.filter((issue) => issue.code !== 'unrecognized_keys').map((issue) => issue.path[0] ?? ''));
  return { unknownKeys, malformed: DEPLOY_INPUT_KEYS.filter((key) => faulty.has(key)) };
}

/** One line for the faults, for a caller that has no better words: `deploy input: unknown key "x"; malformed ref, stages`. */
export function describeDeployInputFaults({ unknownKeys, malformed }: DeployInputFaults): string {
  const parts = [
    ...(unknownKeys.length > 0 ? [`unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')}`] : []),
    ...(malformed.length > 0 ? [`malformed ${malformed.join(', ')}`] : []),
  ];
  return `deploy input: ${parts.join('; ')}`;
}

export interface DeployResult {
  sha: string;
  outcome: StageOutcome;
  report: string;
}
