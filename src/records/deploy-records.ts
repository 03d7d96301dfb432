import { join } from 'node:path';
import type { OpsConfig } from '../config/load-config.js';
import { appendLine } from './append-line.js';
import { readTextIfExists } from './if-exists.js';
import { formatDeployRecordLine, parseDeployRecords, type DeployRecord } from '../core/deploy-metrics.js';
import { parseJsonLines } from '../core/json-lines.js';

export function deployRecordsFile(config: OpsConfig): string {
  return join(config.stateDir, 'deploys.jsonl');
}

/** A deploy record with the run that wrote it, so a retried write can tell it is already there. */
export type RunDeployRecord = DeployRecord & { workflowId?: string; runId?: string };

/**
 * Appends one finished deploy to <stateDir>/deploys.jsonl. The file is append-only: the metrics
 * endpoint counts its lines as a counter, so truncating it reads as a counter reset. A line of the
 * same workflow run already there (an activity retried after its write) is not written again, or
 * the deploy would count twice.
 */
export async function recordDeployOutcome(config: OpsConfig, record: RunDeployRecord): Promise<boolean> {
  const { workflowId, runId } = record;
  const written = (text: string) => runId !== undefined && parseJsonLines(text, isRunMarked).some((r) => r.workflowId === workflowId && r.runId === runId);
  return appendLine(deployRecordsFile(config), formatDeployRecordLine(record), written);
}

function isRunMarked(value: unknown): value is { workflowId?: unknown; runId?: unknown } {
  return typeof value === 'object' && value !== null;
}

/** Every recorded deploy in file order; none before the first deploy. */
export async function readDeployRecords(config: OpsConfig): Promise<DeployRecord[]> {
  return parseDeployRecords((await readTextIfExists(deployRecordsFile(config))) ?? '');
}
