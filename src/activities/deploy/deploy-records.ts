import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { appendLine } from '../repository/append-line.js';
import { formatDeployRecordLine, parseDeployRecords, type DeployRecord } from '../../core/deploy-metrics.js';

export function deployRecordsFile(config: OpsConfig): string {
  return join(config.stateDir, 'deploys.jsonl');
}

/**
 * Appends one finished deploy to <stateDir>/deploys.jsonl. The file is append-only: the metrics
 * endpoint counts its lines as a counter, so truncating it reads as a counter reset.
 */
export async function recordDeployOutcome(config: OpsConfig, record: DeployRecord): Promise<void> {
  await appendLine(deployRecordsFile(config), formatDeployRecordLine(record));
}

/** Every recorded deploy in file order; none before the first deploy. */
export async function readDeployRecords(config: OpsConfig): Promise<DeployRecord[]> {
  try {
    return parseDeployRecords(await readFile(deployRecordsFile(config), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
