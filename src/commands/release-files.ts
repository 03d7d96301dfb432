import { quoteForShell } from './shell-quote.js';

/**
 * Remote argv for the release layout on a host: <root>/releases/<sha>, <root>/current, <root>/releases.log.
 * Each is an argv for sshCommand; the few that need a shell pass paths as positional parameters
 * ("$1", "$2"), never spliced into the script text.
 */

/** Separates the sections of openReleaseRoot's output; no sha, file name or JSON log line looks like it. */
export const RELEASE_STATE_SEPARATOR = '--- ops release state ---';

/**
 * Makes <root>/releases (the sync lands there) and prints, in one round trip, what a deploy needs
 * to know about the host: the target of `current`, the release dirs, and the release log.
 */
export function openReleaseRoot(root: string): string[] {
  const script = [
    'mkdir -p -- "$1/releases"',
    'if [ -L "$1/current" ]; then readlink -- "$1/current"; fi',
    'echo "$2"',
    'ls -1A -- "$1/releases"',
    'echo "$2"',
    'if [ -f "$1/releases.log" ]; then cat -- "$1/releases.log"; fi',
  ].join(' && ');
  return ['sh', '-c', script, 'sh', root.replace(/\/$/, ''), RELEASE_STATE_SEPARATOR];
}

/**
 * Runs several remote argv one after another in one ssh round trip, stopping at the first that
 * fails (its exit code is the result). Each argv is quoted for the inner shell here, the one place
 * this happens; sshCommand then quotes the whole script once more for the remote login shell.
 */
export function inSequence(...steps: string[][]): string[] {
  if (steps.length === 0) throw new Error('inSequence needs at least one command');
  if (steps.length === 1) return steps[0]!;
  return ['sh', '-c', steps.map((argv) => quoteForShell(argv)).join(' && ')];
}

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

/**
 * Appends stdin to `path` unless a line there already contains `key`: a retried append (the first
 * attempt wrote, but its answer was lost) adds nothing. Stdin is read either way, so the writer
 * never sees a broken pipe.
 */
export function appendOnceFromStdin(path: string, key: string): string[] {
  return ['sh', '-c', 'if [ -f "$1" ] && grep -qF -- "$2" "$1"; then cat > /dev/null; else cat >> "$1"; fi', 'sh', path, key];
}

export function readFileIfExists(path: string): string[] {
  return ['sh', '-c', 'if [ -f "$1" ]; then cat -- "$1"; fi', 'sh', path];
}

export function makeDirs(path: string): string[] {
  return ['mkdir', '-p', '--', path];
}

/** Removes release dirs, refusing anything outside <root>/releases/. */
export function removeReleases(root: string, shas: string[]): string[] {
  for (const sha of shas) if (!/^[0-9a-f]{7,64}$/.test(sha)) throw new Error(`not a release sha: "${sha}"`);
  return ['rm', '-rf', '--', ...shas.map((sha) => `${root.replace(/\/$/, '')}/releases/${sha}`)];
}


/**
 * Runs argv with the release dir as its working directory, its stdout sent to stderr: a failure's
 * stderr tail (what the report shows) then holds everything the command printed, in order.
 */
export function runInDir(dir: string, argv: string[]): string[] {
  return ['sh', '-c', 'cd -- "$1" && shift && exec "$@" 1>&2', 'sh', dir, ...argv];
}
