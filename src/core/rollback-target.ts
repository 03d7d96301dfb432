import type { ReleaseMove } from './release-log.js';
import type { ReleaseState } from './release-state.js';

/** Git's shortest abbreviation; shorter prefixes collide too easily to name a release by. */
export const MIN_SHA_PREFIX = 7;

/**
 * The release an entry shows passing the health gate on its stage: a deploy or a manual rollback
 * to `sha`, or an automatic rollback that brought `previous` back healthy.
 */
function healthyAfter(entry: ReleaseMove): string | null {
  if (entry.event === 'deployed' || entry.event === 'manual-rollback') return entry.sha;
  if (entry.event === 'rolled-back') return entry.previous;
  return null;
}

/**
 * The newest release a stage's log shows healthy, other than `exclude` (what `current` names, or
 * the release being redeployed), whose dir is still on the host. A release that only failed, or
 * whose rollback failed, never counts: after "rollback failed: needs a human" the stage goes back
 * to the last release known to have worked there, whatever the failed run managed to log.
 */
export function lastHealthyRelease(entries: ReleaseMove[], exclude: string | null, dirs: string[]): string | undefined {
  for (const entry of [...entries].reverse()) {
    const sha = healthyAfter(entry);
    if (sha && sha !== exclude && dirs.includes(sha)) return sha;
  }
  return undefined;
}

/** Whether a stage's log shows `sha` healthy there at some point. */
export function everHealthy(entries: ReleaseMove[], sha: string): boolean {
  return entries.some((e) => healthyAfter(e) === sha);
}

export type PrefixResolution = { sha: string } | { problem: string };

/** Why `text` cannot name a release at all (checked before any host is asked), or undefined. */
export function shaPrefixProblem(text: string): string | undefined {
  if (!/^[0-9a-fA-F]+$/.test(text)) return `--to "${text}" is not a commit SHA (hex digits only)`;
  if (text.length < MIN_SHA_PREFIX) return `--to "${text}" is too short: give at least ${MIN_SHA_PREFIX} characters of the SHA`;
  if (text.length > 64) return `--to "${text}" is longer than a SHA`;
  return undefined;
}

/**
 * The one release among `known` (the stage's release dirs and logged releases) that `text` is a
 * prefix of, as git resolves an abbreviated SHA; a problem naming the candidates when none or
 * several match.
 */
export function resolveShaPrefix(text: string, known: string[], where: string): PrefixResolution {
  const problem = shaPrefixProblem(text);
  if (problem) return { problem };
  const prefix = text.toLowerCase();
  const matches = [...new Set(known)].filter((sha) => sha.startsWith(prefix)).sort();
  if (matches.length === 1) return { sha: matches[0]! };
  if (matches.length === 0) return { problem: `no release of ${where} matches ${text}` };
  return { problem: `${text} is ambiguous on ${where}: it matches ${matches.join(', ')}; give more characters` };
}

/**
 * Where `ops rollback` goes on a stage, from one look at its host: the release `to` abbreviates
 * (among its release dirs and logged releases), or by default the last release healthy there.
 */
export function rollbackTarget(state: ReleaseState, at: { app: string; stage: string }, to?: string): PrefixResolution {
  const where = `${at.app} ${at.stage}`;
  const log = state.log.filter((e) => e.app === at.app && e.stage === at.stage);
  if (to !== undefined) return resolveShaPrefix(to, [...state.dirs, ...log.map((e) => e.sha)], where);
  const sha = lastHealthyRelease(log, state.current, state.dirs);
  if (sha) return { sha };
  return { problem: `no earlier release of ${at.app} that was healthy on ${at.stage} is still on its host; name one with --to` };
}
