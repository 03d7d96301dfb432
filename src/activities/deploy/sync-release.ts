import { rsyncPush } from '../../commands/rsync.js';
import { inSequence, makeDirs, openReleaseRoot, RELEASE_STATE_SEPARATOR, writeSecretFileFromStdin } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { renderDotenv } from '../../core/dotenv.js';
import { parseReleaseState, redundantAfterDeploy } from '../../core/release-state.js';
import { lastHealthyRelease } from '../../core/rollback-target.js';
import { withHeartbeat } from '../heartbeat.js';
import { runCommand } from '../process/run-command.js';
import { prepareRelease } from './prepare-release.js';
import { runOnHost } from './run-on-host.js';
import { releaseDir, stageTarget } from './stage-target.js';

export interface SyncedRelease {
  releaseDir: string;
  /** The release `current` pointed at before this deploy (the same sha for a redeploy). */
  previous: string | null;
  /**
   * Where a failure after the switch goes back to: the release replaced, or for a redeploy of the
   * running sha the last release healthy on the stage before it. Null when there is none.
   */
  rollbackTo: string | null;
  /** Release dirs to remove once this deploy has succeeded (keepReleases). */
  redundant: string[];
}

/**
 * Look at the host (`current`, the release dirs and the release log) and write the stage's .env
 * (with the host entry's env over it, mode 0600) into <root>/releases/<sha>, in one round trip;
 * then rsync the exported release there (never .git, never the configured excludes). The rsync
 * mirrors the export, but an excluded name is never deleted, so the .env written first stays. The
 * .env is rendered on the worker from the config's secrets and sent through ssh's stdin: not in
 * argv, not in history.
 */
export async function syncRelease(config: OpsConfig, input: { app: string; stage: string; host?: string; sha: string }): Promise<SyncedRelease> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  // Found by app + SHA, exported again when this worker has none: the export may have run on another worker.
  const { dir: exported } = await prepareRelease(config, input);
  const dir = releaseDir(target, input.sha);
  const secrets = Object.values(target.stage.secrets);
  const dotenv = renderDotenv({ ...target.env, ...Object.fromEntries(Object.entries(target.stage.secrets).map(([k, v]) => [k, v.reveal()])) });
  const state = await withHeartbeat(async ({ cancelSignal }) => {
    // The state is read before the release dir is made: its listing is the host as the deploy found it.
    const look = inSequence(openReleaseRoot(target.root), makeDirs(dir), writeSecretFileFromStdin(`${dir}/.env`));
    const state = parseReleaseState(await runOnHost(config, target, look, { cancelSignal, input: dotenv, secrets }), RELEASE_STATE_SEPARATOR);
    const push = rsyncPush({
      sourceDir: exported,
      dest: { kind: 'ssh', ...target.host, path: target.root },
      subPath: `releases/${input.sha}`,
      ssh: config.ssh,
      exclude: ['.git', '.env', ...target.app.exclude],
      mirror: true,
    });
    await runCommand(push, { cancelSignal });
    return state;
  });
  const stageLog = state.log.filter((e) => e.app === input.app && e.stage === input.stage);
  const rollbackTo = state.current && state.current !== input.sha ? state.current : (lastHealthyRelease(stageLog, input.sha, state.dirs) ?? null);
  return { releaseDir: dir, previous: state.current, rollbackTo, redundant: redundantAfterDeploy(state, input.sha, target.app.keepReleases) };
}
