/**
 * The name a build-once image travels under: `<app>-<service>:<sha12>`, the same on every host,
 * under `<registry>/` when the images travel through a registry. Compose names a built image
 * `<project>-<service>`, and the project differs per stage, so the stage prefix is replaced by the
 * app's name; an image named in the compose file keeps its name.
 */
export function shippedImageName(app: string, project: string, composeImage: string, sha: string, registry?: string): string {
  const untagged = composeImage.replace(/:[^/]*$/, '');
  const service = untagged.startsWith(`${project}-`) ? untagged.slice(project.length + 1) : untagged;
  const name = `${app}-${service.replace(/[^a-z0-9_.-]/g, '-')}:${sha.slice(0, 12)}`;
  return registry === undefined ? name : `${registry}/${name}`;
}

/** The lines of `docker compose config --images` or `docker image inspect --format {{.Id}}`. */
export function outputLines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

/** Each shipped image whose ID on the later host differs from the one the first host built, as `name: built <id>, got <id or none>`. */
export function imageMismatches(built: Record<string, string>, shipped: Record<string, string>): string[] {
  return Object.entries(built)
    .filter(([name, id]) => shipped[name] !== id)
    .map(([name, id]) => `${name}: built ${id}, got ${shipped[name] ?? 'none'}`);
}
