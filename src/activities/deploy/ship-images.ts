import { composeImages, dockerLoad, dockerPull, dockerPush, dockerSave, dockerTag, imageIds, imagesPresent } from '../../commands/docker-images.js';
import { inSequence } from '../../commands/release-files.js';
import { sshCommand } from '../../commands/ssh.js';
import { configSecrets } from '../../config/config-secrets.js';
import type { OpsConfig } from '../../config/load-config.js';
import { CommandFailed, VerifyFailed } from '../../core/errors.js';
import { imageMismatches, outputLines, shippedImageName } from '../../core/image-names.js';
import { withHeartbeat } from '../heartbeat.js';
import { spawnPipeline } from '../process/spawn-pipeline.js';
import type { SwitchMove } from './build-and-switch.js';
import { runOnHost } from './run-on-host.js';
import { releaseDir, stageTarget, type StageTarget } from './stage-target.js';

/** Image name → image ID (`sha256:…`) on one host. */
export type ImageIds = Record<string, string>;

/** ssh exits 255 for its own failures; those are the world's fault and retried, a failing docker save or load is not. */
const SSH_FAILED = 255;

/** The images of the release as compose names them on this stage (`<project>-<service>`), each with its SHA-tagged name. */
async function releaseImages(config: OpsConfig, target: StageTarget, sha: string, cancelSignal?: AbortSignal): Promise<Array<{ local: string; shipped: string }>> {
  const project = { dir: releaseDir(target, sha), files: target.app.compose.files, project: target.project };
  const names = outputLines(await runOnHost(config, target, composeImages(project), { ...(cancelSignal ? { cancelSignal } : {}), what: 'docker compose config --images' }));
  return names.map((local) => ({ local, shipped: shippedImageName(target.app.name, target.project, local, sha, target.app.build.registry) }));
}

async function idsOn(config: OpsConfig, target: StageTarget, refs: string[], cancelSignal?: AbortSignal): Promise<ImageIds> {
  const ids = outputLines(await runOnHost(config, target, imageIds(refs), { ...(cancelSignal ? { cancelSignal } : {}), what: 'docker image inspect' }));
  return Object.fromEntries(refs.map((ref, i) => [ref, ids[i] ?? '']));
}

/**
 * After the first stage's build: each built image also tagged `<app>-<service>:<sha12>` (under
 * build.registry, and pushed there), and their IDs.
 */
export async function tagBuiltImages(config: OpsConfig, target: StageTarget, sha: string, cancelSignal?: AbortSignal): Promise<ImageIds> {
  const images = await releaseImages(config, target, sha, cancelSignal);
  if (images.length === 0) return {};
  const refs = images.map((image) => image.shipped);
  await runOnHost(config, target, inSequence(...images.map((image) => dockerTag(image.local, image.shipped))), { ...(cancelSignal ? { cancelSignal } : {}), what: 'docker tag' });
  if (target.app.build.registry !== undefined) await throughRegistry(config, target, 'push', refs, cancelSignal);
  return idsOn(config, target, refs, cancelSignal);
}

/**
 * build.registry: every image pushed from, or pulled onto, one host in one round trip; a failure
 * names the host and the images. Not retried: docker already retries each layer's transfer, and its
 * exit code does not tell a refused login or a missing image from a registry that is down. The
 * host's own `docker login` authenticates: ops never handles the registry's credentials.
 */
async function throughRegistry(config: OpsConfig, target: StageTarget, verb: 'push' | 'pull', refs: string[], cancelSignal?: AbortSignal): Promise<void> {
  const command = verb === 'push' ? dockerPush : dockerPull;
  await runOnHost(config, target, inSequence(...refs.map(command)), { ...(cancelSignal ? { cancelSignal } : {}), what: `docker ${verb} ${refs.join(' ')}` });
}

/**
 * The argv that points compose's names for this stage at the release's SHA-tagged images, so
 * `up --no-build` starts exactly those. Compose's name still points at the newer release's images,
 * so a rollback re-tags too; one to a release deployed before build.once was turned on finds no
 * SHA-tagged images and gets none (plain `up`, as before). One shipped before build.registry was set
 * carries its SHA tags without the registry, so a rollback looks for those next.
 */
export async function tagsForSwitch(config: OpsConfig, target: StageTarget, input: { sha: string; move: SwitchMove }, cancelSignal?: AbortSignal): Promise<string[][]> {
  const images = await releaseImages(config, target, input.sha, cancelSignal);
  if (images.length === 0) return [];
  const retag = (refs: Array<{ local: string; shipped: string }>) => refs.map((image) => dockerTag(image.shipped, image.local));
  if (input.move === 'deploy') return retag(images);
  const candidates = target.app.build.registry === undefined ? [images] : [images, images.map((image) => ({ ...image, shipped: shippedImageName(target.app.name, target.project, image.local, input.sha) }))];
  for (const candidate of candidates) {
    const answer = await runOnHost(config, target, imagesPresent(candidate.map((image) => image.shipped)), { ...(cancelSignal ? { cancelSignal } : {}), what: 'docker image inspect' });
    if (answer.trim() === 'present') return retag(candidate);
  }
  return [];
}

/**
 * A later stage of a build-once deploy, or another host of the stage that built: the images built on
 * the first host of `from` go from it to this one, `ssh from docker save | ssh to docker load`,
 * the two ssh joined pipe to pipe on this worker, no file on either side; with build.registry, this host pulls
 * what the first one pushed. The IDs this host reports must equal the ones the first host built,
 * or the stage fails here, before its switch.
 */
export async function shipImages(config: OpsConfig, input: { app: string; stage: string; host?: string; sha: string; from: string; fromHost?: string }): Promise<{ images: ImageIds }> {
  const source = stageTarget(config, input.app, input.from, input.fromHost);
  const target = stageTarget(config, input.app, input.stage, input.host);
  return withHeartbeat(async ({ cancelSignal }) => {
    const refs = (await releaseImages(config, source, input.sha, cancelSignal)).map((image) => image.shipped);
    if (refs.length === 0) return { images: {} };
    const built = await idsOn(config, source, refs, cancelSignal);
    if (target.app.build.registry !== undefined) await throughRegistry(config, target, 'pull', refs, cancelSignal);
    else await streamImages(config, source, target, refs, cancelSignal);
    const images = await idsOn(config, target, refs, cancelSignal);
    const mismatches = imageMismatches(built, images);
    if (mismatches.length > 0) throw new VerifyFailed(`images on ${target.hostName} (${input.stage}) differ from those built on ${source.hostName} (${input.from}): ${mismatches.join('; ')}`, mismatches);
    return { images };
  });
}

async function streamImages(config: OpsConfig, source: StageTarget, target: StageTarget, refs: string[], cancelSignal: AbortSignal): Promise<void> {
  const steps = [
    { command: sshCommand(config.ssh, source.host, dockerSave(refs)), what: `docker save on ${source.hostName}` },
    { command: sshCommand(config.ssh, target.host, dockerLoad()), what: `docker load on ${target.hostName}` },
  ];
  const { children, failure } = spawnPipeline(steps.map((step) => step.command), { cancelSignal, output: 'ignore' });
  const failed = failure(await Promise.all(children), { secrets: configSecrets(config), retryable: (code) => code === SSH_FAILED });
  if (!failed) return;
  const { error } = failed;
  throw error.exitCode === SSH_FAILED ? error : new CommandFailed(error.command, error.exitCode, error.stderrTail, error.retryable, steps[failed.stage]!.what);
}
