import { appendFromStdin, appendOnceFromStdin, inSequence, openReleaseRoot, readFileIfExists, RELEASE_STATE_SEPARATOR, removeReleases } from '../commands/release-files.js';
import type { OpsConfig } from '../config/load-config.js';
import { formatReleaseLogLine, parseReleaseLog, type ReleaseLogEntry } from '../core/release-log.js';
import { parseReleaseState, type ReleaseState } from '../core/release-state.js';
import { runOnHost } from '../activities/deploy/run-on-host.js';
import { releaseLog, stageTarget } from '../activities/deploy/stage-target.js';

/**
 * Appends the entry to the release log of the host (the stage's first when unnamed). After a successful deploy, `prune` names the
 * release dirs it made redundant (syncRelease decided which); they go in the same round trip,
 * after the entry is safely written.
 */
export async function recordRelease(config: OpsConfig, entry: Omit<ReleaseLogEntry, 'at'>, prune: string[] = [], host?: string): Promise<void> {
  const target = stageTarget(config, entry.app, entry.stage, host);
  const { line, key } = releaseLogLine({ at: new Date().toISOString(), ...entry });
  const append = key ? appendOnceFromStdin(releaseLog(target), key) : appendFromStdin(releaseLog(target));
  const argv = prune.length > 0 ? inSequence(append, removeReleases(target.root, prune)) : append;
  await runOnHost(config, target, argv, { input: line });
}

/**
 * The entry's line, its identity (workflow, run, event) written last so that `key` is an exact
 * substring of it and of nothing else: inside a JSON string value a quote is escaped, so
 * `"workflowId":"…"` can only match the field itself. No key without a runId: deploys of an app
 * share one workflow id, so without the run two deploys would look alike.
 */
export function releaseLogLine(entry: ReleaseLogEntry): { line: string; key?: string } {
  const { workflowId, runId, event, ...rest } = entry;
  const identity = { workflowId, ...(runId ? { runId } : {}), event };
  return { line: formatReleaseLogLine({ ...rest, ...identity }), ...(runId ? { key: JSON.stringify(identity).slice(1, -1) } : {}) };
}

export async function readReleaseLog(config: OpsConfig, input: { app: string; stage: string; host?: string }): Promise<ReleaseLogEntry[]> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  return parseReleaseLog(await runOnHost(config, target, readFileIfExists(releaseLog(target))));
}

/** `current`, the release dirs and the release log of a stage, in one round trip. */
export async function readReleaseState(config: OpsConfig, input: { app: string; stage: string; host?: string }): Promise<ReleaseState> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  return parseReleaseState(await runOnHost(config, target, openReleaseRoot(target.root)), RELEASE_STATE_SEPARATOR);
}
