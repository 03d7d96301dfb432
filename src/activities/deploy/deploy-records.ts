import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { formatDeployRecordLine, parseDeployRecords, type DeployRecord } from '../../core/deploy-metrics.js';

export function deployRecordsFile(config: OpsConfig): string {
  return join(config.stateDir, 'deploys.jsonl');
}

/**
 * Appends one finished deploy to <stateDir>/deploys.jsonl. The file is append-only: the metrics
 * endpoint counts its lines as a counter, so truncating it reads as a counter reset.
 */
export async function recordDeployOutcome(config: OpsConfig, record: DeployRecord): Promise<void> {
  await mkdir(config.stateDir, { recursive: true });
  // One write of one line to an O_APPEND file: concurrent deploys never interleave inside a line.
  const handle = await open(deployRecordsFile(config), 'a+', 0o644);
  try {
    // A crash mid-write leaves a torn last line; start on a fresh one so this record is not glued to it.
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0) await handle.read(last, 0, 1, size - 1);
    await handle.write(`${size > 0 && last[0] !== 0x0a ? '\n' : ''}${formatDeployRecordLine(record)}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
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
