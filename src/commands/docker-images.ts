import { compose, type ComposeProject } from './compose.js';

/** The image names compose uses for the project's services (built ones as `<project>-<service>`). */
export const composeImages = (target: ComposeProject) => compose(target, ['config', '--images']);
export const dockerTag = (source: string, target: string) => ['docker', 'tag', source, target];
/** One ID per line, in the order of `refs`; fails when any of them is not on the host. */
export const imageIds = (refs: string[]) => ['docker', 'image', 'inspect', '--format', '{{.Id}}', ...refs];
/** The images as one archive on stdout, for `docker load` on another host. */
export const dockerSave = (refs: string[]) => ['docker', 'save', ...refs];
export const dockerLoad = () => ['docker', 'load'];
/** One image each, as docker takes them; the host's own `docker login` authenticates both. */
export const dockerPush = (ref: string) => ['docker', 'push', ref];
export const dockerPull = (ref: string) => ['docker', 'pull', ref];
/** Prints `present` when every ref is on the host, else `absent`: a missing image is an answer here, not a failure. */
export const imagesPresent = (refs: string[]) => ['sh', '-c', 'if docker image inspect --format "{{.Id}}" "$@" >/dev/null 2>&1; then echo present; else echo absent; fi', 'sh', ...refs];
