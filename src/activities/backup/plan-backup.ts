import type { OpsConfig } from '../../config/load-config.js';
import { describeDestination } from '../../config/offsite-destination.js';
import type { Target } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import type { BackupPlan } from './backup-types.js';

/** Which targets a run covers (all, or the named ones in config order) and how many run at once. */
export function planBackup(config: OpsConfig, names: string[] = []): BackupPlan {
  const unknown = names.filter((name) => !config.targets.some((t) => t.name === name));
  if (unknown.length > 0) {
    throw new PreconditionFailed(`unknown target${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (configured: ${config.targets.map((t) => t.name).join(', ') || 'none'})`);
  }
  const chosen = names.length === 0 ? config.targets : config.targets.filter((t) => names.includes(t.name));
  return {
    targets: chosen.map((t) => ({ name: t.name, kind: t.kind })),
    concurrency: config.backup.concurrency,
    offsite: config.backup.offsite.length > 0,
    offsiteDestinations: config.backup.offsite.map(describeDestination),
    verifyFailureAlertAt: config.health.consecutiveVerifyFailures,
    dumpTimeoutMinutes: config.backup.dumpTimeoutMinutes,
  };
}

export function findTarget(config: OpsConfig, name: string): Target {
  const target = config.targets.find((t) => t.name === name);
  if (!target) throw new PreconditionFailed(`unknown target "${name}" (configured: ${config.targets.map((t) => t.name).join(', ')})`);
  return target;
}
