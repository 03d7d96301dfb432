import { formatJsonLine, parseJsonLines } from './json-lines.js';

/** One line of <root>/releases.log on a host: the deploy history, in the spirit of Kamal's audit log. */
export interface ReleaseLogEntry {
  at: string;
  app: string;
  stage: string;
  sha: string;
  /** the release it replaced */
  previous: string | null;
  event: 'deployed' | 'failed' | 'rolled-back' | 'rollback-failed' | 'manual-rollback';
  by: string;
  ref?: string;
  workflowId: string;
  /** The run that wrote the entry: with workflowId and event, what makes a retried append skip a line already there. */
  runId?: string;
  detail?: string;
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
 * Which release dirs on a host may go: all but the `keep` most recently deployed, never `current`
 * and never the release it replaced (the rollback target). Dirs the log never mentions (an
 * interrupted sync) are oldest of all.
 */
export function releasesToPrune(dirs: string[], entries: ReleaseMove[], current: string | null, keep: number): string[] {
  const lastSeen = new Map<string, number>();
  entries.forEach((e, i) => lastSeen.set(e.sha, i));
  const newestFirst = [...dirs].sort((a, b) => (lastSeen.get(b) ?? -1) - (lastSeen.get(a) ?? -1));
  const protectedShas = new Set([current, previousRelease(entries, current)].filter((s): s is string => Boolean(s)));
  const kept = new Set([...newestFirst.slice(0, keep), ...protectedShas]);
  return dirs.filter((d) => !kept.has(d)).sort();
}
