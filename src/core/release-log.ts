import { formatJsonLine, parseJsonLines } from './json-lines.js';
import { everHealthy, lastHealthyRelease } from './rollback-target.js';

/** One line of <root>/releases.log on a host: the deploy history, in the spirit of Kamal's audit log. */
export interface ReleaseLogEntry {
  at: string;
  app: string;
  stage: string;
  sha: string;
  /** the release `current` named before (the same sha for a redeploy); for `rolled-back`, the one it went back to */
  previous: string | null;
  event: 'deployed' | 'failed' | 'rolled-back' | 'rollback-failed' | 'manual-rollback';
  by: string;
  ref?: string;
  workflowId: string;
  /** The run that wrote the entry: with workflowId and event, what makes a retried append skip a line already there. */
  runId?: string;
  detail?: string;
  /** `skipped` when the deploy was told to skip the promotion check (--skip-promotion-check) */
  promotionCheck?: 'skipped';
}

export function formatReleaseLogLine(entry: ReleaseLogEntry): string {
  return formatJsonLine(entry);
}

/** Parses the log, skipping lines that are not entries (a torn last line after a crash). */
export function parseReleaseLog(text: string): ReleaseLogEntry[] {
  return parseJsonLines(text, isReleaseLogEntry);
}

function isReleaseLogEntry(value: unknown): value is ReleaseLogEntry {
  const entry = value as Partial<ReleaseLogEntry> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.sha === 'string' && typeof entry.event === 'string';
}

/** What the prune and rollback decisions read of an entry. */
export type ReleaseMove = Pick<ReleaseLogEntry, 'sha' | 'previous' | 'event'>;

/**
 * The release to go back to from `current`: the `previous` of the newest entry that made `current`
 * live (a deploy or a rollback to it). Undefined when the log does not know one.
 */
export function previousRelease(entries: ReleaseMove[], current: string | null): string | undefined {
  if (!current) return undefined;
  const madeLive = [...entries].reverse().find((e) => e.sha === current && (e.event === 'deployed' || e.event === 'manual-rollback'));
  return madeLive?.previous ?? undefined;
}

/**
 * Which release dirs on a host may go: all but the `keep` most recently deployed, never `current`,
 * never the release it replaced, and never the last release healthy before it (the rollback
 * target, which after a redeploy is not the one it replaced). Dirs the log never mentions (an
 * interrupted sync) are oldest of all.
 */
export function releasesToPrune(dirs: string[], entries: ReleaseMove[], current: string | null, keep: number): string[] {
  const lastSeen = new Map<string, number>();
  entries.forEach((e, i) => lastSeen.set(e.sha, i));
  const newestFirst = [...dirs].sort((a, b) => (lastSeen.get(b) ?? -1) - (lastSeen.get(a) ?? -1));
  const protectedShas = new Set([current, previousRelease(entries, current), lastHealthyRelease(entries, current, dirs)].filter((s): s is string => Boolean(s)));
  const kept = new Set([...newestFirst.slice(0, keep), ...protectedShas]);
  return dirs.filter((d) => !kept.has(d)).sort();
}

/**
 * Why `sha` may not be a rollback target on the app's stage, or undefined when it may. A release dir
 * alone proves nothing: rsync writes straight into releases/<sha>, so a sync cut short, or a release
 * whose build or health gate failed, leaves one. Only a release the log shows healthy there (a
 * deploy or a manual rollback to it, or an automatic rollback back to it), or the one `current`
 * names, is known to be whole and to run.
 */
export function rollbackTargetRefusal(entries: Array<Pick<ReleaseLogEntry, 'app' | 'stage' | 'sha' | 'previous' | 'event'>>, target: { app: string; stage: string; sha: string }, current: string | null): string | undefined {
  if (target.sha === current) return undefined;
  const stageLog = entries.filter((e) => e.app === target.app && e.stage === target.stage);
  if (everHealthy(stageLog, target.sha)) return undefined;
  const events = stageLog.filter((e) => e.sha === target.sha).map((e) => e.event);
  if (events.length === 0) return 'releases.log has no entry for it: it was never deployed here (its sync may have been cut short)';
  return `releases.log records it only as ${[...new Set(events)].join(', ')}, never as deployed`;
}
