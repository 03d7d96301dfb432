import type { OpsConfig } from '../config/load-config.js';
import { findStage, findStageHost, stageHosts } from '../config/lookups.js';

/**
 * The hosts `ops rollback` and `ops prune` act on, one run each: `--host`, or every host of a stage
 * of several. A `host:` stage gives `undefined`, its one run started exactly as before stages had several.
 */
export function stageHostsToActOn(config: OpsConfig, app: string, stageName: string, host: string | undefined): Array<string | undefined> {
  const stage = findStage(config, app, stageName);
  if (host !== undefined) return [findStageHost(config, app, stageName, host).host];
  return stage.hosts ? stageHosts(stage).map((h) => h.host) : [undefined];
}
