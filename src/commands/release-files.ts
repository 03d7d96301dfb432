/**
 * Remote argv for the release layout on a host: <root>/releases/<sha>, <root>/current, <root>/releases.log.
 * Each is an argv for sshCommand; the few that need a shell pass paths as positional parameters
 * ("$1", "$2"), never spliced into the script text.
 */

/** Prints the target of the `current` symlink, or nothing when there is none yet (a first deploy). */
export function readCurrentLink(link: string): string[] {
  return ['sh', '-c', 'if [ -L "$1" ]; then readlink -- "$1"; fi', 'sh', link];
}

/** Points `link` at `target` atomically: a new symlink beside it, renamed over the old one (rename is atomic, ln -sf is not). */
export function pointLinkAt(target: string, link: string): string[] {
  return ['sh', '-c', 'ln -sfn -- "$1" "$2.next" && mv -T -- "$2.next" "$2"', 'sh', target, link];
}

/** Writes stdin to `path` with mode 0600, through a temp name, so the file is never half-written or briefly world-readable. */
export function writeSecretFileFromStdin(path: string): string[] {
  return ['sh', '-c', 'umask 077 && cat > "$1.tmp" && chmod 600 "$1.tmp" && mv -f -- "$1.tmp" "$1"', 'sh', path];
}

/** Appends stdin to `path` (the release log). */
export function appendFromStdin(path: string): string[] {
  return ['sh', '-c', 'cat >> "$1"', 'sh', path];
}

export function readFileIfExists(path: string): string[] {
  return ['sh', '-c', 'if [ -f "$1" ]; then cat -- "$1"; fi', 'sh', path];
}

export function makeDirs(path: string): string[] {
  return ['mkdir', '-p', '--', path];
}

/** Exits 0 when the directory exists: a rollback target must still be on the host. */
export function dirExists(path: string): string[] {
  return ['test', '-d', path];
}

/** Removes release dirs, refusing anything outside <root>/releases/. */
export function removeReleases(root: string, shas: string[]): string[] {
  for (const sha of shas) if (!/^[0-9a-f]{7,64}$/.test(sha)) throw new Error(`not a release sha: "${sha}"`);
  return ['rm', '-rf', '--', ...shas.map((sha) => `${root.replace(/\/$/, '')}/releases/${sha}`)];
}

export function listReleaseDirs(root: string): string[] {
  return ['ls', '-1A', '--', `${root.replace(/\/$/, '')}/releases`];
}
