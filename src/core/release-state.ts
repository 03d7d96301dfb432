import { parseReleaseLog, releasesToPrune, type ReleaseLogEntry } from './release-log.js';

/** A stage's deploy root as one look at the host shows it (openReleaseRoot's output). */
export interface ReleaseState {
  /** The sha `current` points at; null before the first deploy. */
  current: string | null;
  /** Release dirs under <root>/releases (names that are shas; anything else there is not ours). */
  dirs: string[];
  log: ReleaseLogEntry[];
}

const RELEASE_DIR_NAME = /^[0-9a-f]{40,64}$/;

/** The sha a `current` link target names (`releases/<sha>`, possibly with a trailing slash), or null for none. */
export function shaOfLink(target: string): string | null {
  const trimmed = target.trim().replace(/\/$/, '');
  return trimmed ? trimmed.split('/').at(-1)! : null;
}

export function parseReleaseState(output: string, separator: string): ReleaseState {
  const sections = output.split(`${separator}\n`);
  if (sections.length !== 3) throw new Error(`unexpected release state from the host (expected 3 sections, got ${sections.length})`);
  const [link, listing, log] = sections as [string, string, string];
  return {
    current: shaOfLink(link),
    dirs: listing.split('\n').filter((name) => RELEASE_DIR_NAME.test(name)),
    log: parseReleaseLog(log),
  };
}

/**
 * The release dirs a successful deploy of `sha` makes redundant, decided before the deploy from
 * the host's state: as if the deploy had been logged, keep the newest `keep`, `sha` and the release
 * it replaces. Dirs that appear later (another sync) are not in `state` and so are never removed.
 */
export function redundantAfterDeploy(state: ReleaseState, sha: string, keep: number): string[] {
  const previous = state.current === sha ? null : state.current;
  const dirs = state.dirs.includes(sha) ? state.dirs : [...state.dirs, sha];
  return releasesToPrune(dirs, [...state.log, { sha, previous, event: 'deployed' }], sha, keep);
}
