import { listReleaseDirs, removeReleases } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { releasesToPrune } from '../../core/release-log.js';
import { currentRelease } from './build-and-switch.js';
import { readReleaseLog } from './release-log.js';
import { runOnHost } from './run-on-host.js';
import { stageTarget } from './stage-target.js';

/** After a successful deploy: keep app.keepReleases release dirs on the host (plus current and its rollback target). */
export async function pruneReleases(config: OpsConfig, input: { app: string; stage: string }): Promise<{ removed: string[] }> {
  const target = stageTarget(config, input.app, input.stage);
  const dirs = (await runOnHost(config, target, listReleaseDirs(target.root))).split('\n').filter((name) => /^[0-9a-f]{40,64}$/.test(name));
  const [entries, current] = await Promise.all([readReleaseLog(config, input), currentRelease(config, input)]);
  const removed = releasesToPrune(dirs, entries, current.sha, target.app.keepReleases);
  if (removed.length > 0) await runOnHost(config, target, removeReleases(target.root, removed));
  return { removed };
}
