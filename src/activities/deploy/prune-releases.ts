import { removeReleases } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { PreconditionFailed } from '../../core/errors.js';
import { releasesToPrune } from '../../core/release-log.js';
import { readReleaseState } from '../../records/release-log.js';
import { runOnHost } from './run-on-host.js';
import { stageTarget } from './stage-target.js';

export interface PruneInput {
  app: string;
  stage: string;
  /** One host of the stage; its first (the only one of a `host:` stage) when absent. */
  host?: string;
  /** Release dirs to keep; the app's keepReleases when absent. */
  keep?: number;
  dryRun: boolean;
}

export interface PruneResult {
  host: string;
  current: string | null;
  keep: number;
  /** The dirs removed, or with dryRun the dirs that would be. */
  removed: string[];
  kept: string[];
}

/**
 * `ops prune`: the release dirs a deploy's own prune would remove with `keep`, decided by the same
 * rule (releasesToPrune: never current, the release it replaced or the rollback target) from one
 * look at the host, then removed in one more round trip. Its caller holds the app's deploy id, so
 * no deploy syncs or switches between the look and the removal.
 */
export async function pruneReleases(config: OpsConfig, input: PruneInput): Promise<PruneResult> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  const keep = input.keep ?? target.app.keepReleases;
  // As keepReleases: current and the release it replaced are always there to roll back between.
  if (!Number.isInteger(keep) || keep < 2) throw new PreconditionFailed(`keep must be a whole number of at least 2, got ${keep}`);
  const state = await readReleaseState(config, input);
  const removed = releasesToPrune(state.dirs, state.log, state.current, keep);
  if (!input.dryRun && removed.length > 0) await runOnHost(config, target, removeReleases(target.root, removed), { what: 'removing old releases' });
  return { host: target.hostName, current: state.current, keep, removed, kept: state.dirs.filter((d) => !removed.includes(d)).sort() };
}
