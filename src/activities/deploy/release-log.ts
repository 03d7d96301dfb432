import { appendFromStdin, readFileIfExists } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { formatReleaseLogLine, parseReleaseLog, type ReleaseLogEntry } from '../../core/release-log.js';
import { runOnHost } from './run-on-host.js';
import { releaseLog, stageTarget } from './stage-target.js';

export async function recordRelease(config: OpsConfig, entry: Omit<ReleaseLogEntry, 'at'>): Promise<void> {
  const target = stageTarget(config, entry.app, entry.stage);
  await runOnHost(config, target, appendFromStdin(releaseLog(target)), { input: formatReleaseLogLine({ at: new Date().toISOString(), ...entry }) });
}

export async function readReleaseLog(config: OpsConfig, input: { app: string; stage: string }): Promise<ReleaseLogEntry[]> {
  const target = stageTarget(config, input.app, input.stage);
  return parseReleaseLog(await runOnHost(config, target, readFileIfExists(releaseLog(target))));
}
