import { appendFromStdin, inSequence, readFileIfExists, removeReleases } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { formatReleaseLogLine, parseReleaseLog, type ReleaseLogEntry } from '../../core/release-log.js';
import { runOnHost } from './run-on-host.js';
import { releaseLog, stageTarget } from './stage-target.js';

/**
 * Appends the entry to the host's release log. After a successful deploy, `prune` names the
 * release dirs it made redundant (syncRelease decided which); they go in the same round trip,
 * after the entry is safely written.
 */
export async function recordRelease(config: OpsConfig, entry: Omit<ReleaseLogEntry, 'at'>, prune: string[] = []): Promise<{ removed: string[] }> {
  const target = stageTarget(config, entry.app, entry.stage);
  const append = appendFromStdin(releaseLog(target));
  const argv = prune.length > 0 ? inSequence(append, removeReleases(target.root, prune)) : append;
  await runOnHost(config, target, argv, { input: formatReleaseLogLine({ at: new Date().toISOString(), ...entry }) });
  return { removed: prune };
}

export async function readReleaseLog(config: OpsConfig, input: { app: string; stage: string }): Promise<ReleaseLogEntry[]> {
  const target = stageTarget(config, input.app, input.stage);
  return parseReleaseLog(await runOnHost(config, target, readFileIfExists(releaseLog(target))));
}
