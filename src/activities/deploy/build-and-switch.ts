import { composeBuild, composeDown, composeUp, type ComposeProject } from '../../commands/compose.js';
import { inSequence, openReleaseRoot, pointLinkAt, readCurrentLink, RELEASE_STATE_SEPARATOR } from '../../commands/release-files.js';
import type { OpsConfig } from '../../config/load-config.js';
import { PreconditionFailed } from '../../core/errors.js';
import { rollbackTargetRefusal } from '../../core/release-log.js';
import { parseReleaseState, shaOfLink } from '../../core/release-state.js';
import { withHeartbeat } from '../heartbeat.js';
import { runOnHost } from './run-on-host.js';
import { tagBuiltImages, tagsForSwitch, type ImageIds } from './ship-images.js';
import { currentLink, releaseDir, stageTarget, type StageTarget } from './stage-target.js';

const composeProject = (target: StageTarget, sha: string): ComposeProject => ({ dir: releaseDir(target, sha), files: target.app.compose.files, project: target.project });

/**
 * `docker compose build` in the release dir on the host. A failing build is the code's fault: not retried.
 * Its output is not returned: nothing shows it, and a result would put it (build args, secrets a step
 * echoes) into workflow history. With `build.once` the images are also tagged by SHA for the later
 * stages, and their IDs returned for the report.
 */
export async function buildRelease(config: OpsConfig, input: { app: string; stage: string; host?: string; sha: string }): Promise<{ images?: ImageIds }> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  return withHeartbeat(async ({ cancelSignal }) => {
    await runOnHost(config, target, composeBuild(composeProject(target, input.sha)), { cancelSignal, what: 'docker compose build' });
    return target.app.build.once ? { images: await tagBuiltImages(config, target, input.sha, cancelSignal) } : {};
  });
}

/** The release `current` points at now (its sha), or null on a first deploy. */
export async function currentRelease(config: OpsConfig, input: { app: string; stage: string; host?: string }): Promise<{ sha: string | null }> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  return { sha: shaOfLink(await runOnHost(config, target, readCurrentLink(currentLink(target)))) };
}

/**
 * Why a release is switched to, which decides what the switch checks first:
 * - `deploy`: the release its sync just put there; `replacing` is what that sync read in `current`,
 *   so the switch is one round trip.
 * - `automatic-rollback`: a deploy going back to the release it saw live before its own switch. Only
 *   that the release is still on the host is checked, not the log (its `deployed` entry may predate
 *   the log, or its write may have failed, and refusing would leave the failed release running).
 * - `manual-rollback`: `ops rollback`. The release must still be on the host and be one the log
 *   records as deployed to this stage (rollbackTargetRefusal): a dir alone may be a sync cut short
 *   or a failed build.
 */
export type SwitchInput = { app: string; stage: string; host?: string; sha: string } & (
  | { move: 'deploy'; replacing: string | null }
  | { move: 'automatic-rollback' | 'manual-rollback' }
);

export type SwitchMove = SwitchInput['move'];

/**
 * Start the release and point `current` at it. The containers come up first and the symlink moves
 * only after `up` succeeded, so `current` never names a release that is not running. Returns the
 * release it replaced, for rollback and the release log. A rollback reads `current`, the release
 * dirs and releases.log in one look at the host before it switches.
 */
export async function switchRelease(config: OpsConfig, input: SwitchInput): Promise<{ previous: string | null }> {
  const target = stageTarget(config, input.app, input.stage, input.host);
  const previous = input.move === 'deploy' ? input.replacing : await checkRollbackTarget(config, target, input);
  const stopPrevious = target.app.compose.switch === 'down-up' && previous && previous !== input.sha;
  await withHeartbeat(async ({ cancelSignal }) => {
    // build.once: start the SHA's images as built on the run's first stage, never a build from this host's release dir.
    const tags = target.app.build.once ? await tagsForSwitch(config, target, input, cancelSignal) : [];
    if (stopPrevious) await runOnHost(config, target, composeDown(composeProject(target, previous!)), { cancelSignal, what: 'docker compose down' });
    await runOnHost(config, target, inSequence(...tags, composeUp(composeProject(target, input.sha), { noBuild: tags.length > 0 }), pointLinkAt(`releases/${input.sha}`, currentLink(target))), {
      cancelSignal,
      what: 'docker compose up',
    });
  });
  return { previous: previous === input.sha ? null : previous };
}

/** What `current` names before a rollback, once the target is known to be a release it may go back to. */
async function checkRollbackTarget(config: OpsConfig, target: StageTarget, input: SwitchInput): Promise<string | null> {
  const state = parseReleaseState(await runOnHost(config, target, openReleaseRoot(target.root)), RELEASE_STATE_SEPARATOR);
  if (!state.dirs.includes(input.sha)) throw new PreconditionFailed(`release ${input.sha} is not on ${target.hostName} (${releaseDir(target, input.sha)})`);
  const refusal = input.move === 'manual-rollback' ? rollbackTargetRefusal(state.log, input, state.current) : undefined;
  if (refusal) throw new PreconditionFailed(`release ${input.sha} is not a safe rollback target on ${target.app.name} ${target.stage.name}: ${refusal}`);
  return state.current;
}
