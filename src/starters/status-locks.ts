import type { OpsConfig } from '../config/load-config.js';
import { describeError } from '../core/errors.js';
import { formatLocalTime } from '../core/format.js';
import { heldDeployLock, type HeldDeployLock } from '../temporal/deploy-lock-holder.js';
import { connectTemporal } from './cli-context.js';

export type DeployLocks = { locks: HeldDeployLock[] } | { unknown: string };

/**
 * The apps whose deploys someone locked (`ops lock`), for `ops status`. They live in Temporal,
 * not in the repository: when it cannot be reached, status says so and still shows backup health.
 */
export async function deployLocks(config: OpsConfig): Promise<DeployLocks | undefined> {
  if (config.apps.length === 0) return undefined;
  try {
    const temporal = await connectTemporal(config);
    try {
      const held = await Promise.all(config.apps.map((app) => heldDeployLock(temporal.client, app.name)));
      return { locks: held.filter((lock) => lock !== undefined) };
    } finally {
      await temporal.close();
    }
  } catch (err) {
    return { unknown: describeError(err) };
  }
}

export function deployLockLines(locks: DeployLocks, timeZone: string): string[] {
  if ('unknown' in locks) return [`deploy locks: unknown (${locks.unknown})`];
  return locks.locks.map((l) => `deploys of ${l.app} LOCKED by ${l.by} since ${formatLocalTime(l.since, timeZone)}: ${l.reason} (ops unlock ${l.app})`);
}
