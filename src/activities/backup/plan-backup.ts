import type { OpsConfig } from '../../config/load-config.js';
import { describeDestination } from '../../config/offsite-destination.js';
import { findTargets } from '../../config/lookups.js';
import type { BackupPlan } from '../../contracts/backup.js';

/** Which targets a run covers (all, or the named ones in config order) and how many run at once. */
export function planBackup(config: OpsConfig, names: string[] = []): BackupPlan {
  // Named targets run in config order, whatever order they were asked in.
  const asked = new Set(findTargets(config, names).map((t) => t.name));
  const chosen = names.length === 0 ? config.targets : config.targets.filter((t) => asked.has(t.name));
  return {
    targets: chosen.map((t) => ({ name: t.name, kind: t.kind })),
    concurrency: config.backup.concurrency,
    offsite: config.backup.offsite.length > 0,
    offsiteDestinations: config.backup.offsite.map(describeDestination),
    verifyFailureAlertAt: config.health.consecutiveVerifyFailures,
    dumpTimeoutMinutes: config.backup.dumpTimeoutMinutes,
  };
}
