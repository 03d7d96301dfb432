import { finishedInstant, type BackupEntry } from './backup-record.js';
import { formatLocalTime } from './format.js';
import { destinationsWithCopy } from './offsite-record.js';

/**
 * Which backup a restore drill restores, and whether the restore got slower.
 *
 * A drill proves that a real recovery works, so it only picks backups a real recovery could use:
 * copied offsite, and not known to be broken (a verify that has not run yet does not disqualify).
 * Randomness is injected: workflows pass Temporal's seeded Math.random, tests a fixed sequence.
 */
export interface DrillPickOptions {
  /** all targets when absent */
  target?: string;
  pick: 'random' | 'latest';
  /** only backups that finished at or after now - windowDays */
  windowDays: number;
  now: Date;
  /** uniform in [0, 1), like Math.random */
  random: () => number;
  /** the config's: the reason a drill found nothing names the newest backup's time in it */
  timeZone: string;
}

export type DrillPick = { entry: BackupEntry } | { none: string };

/** The subject of a drill among every target that found no backup to pick: its record and alert name this. */
export const ALL_TARGETS = 'all targets';

const DAY_MS = 86_400_000;

export function pickBackupForDrill(entries: BackupEntry[], options: DrillPickOptions): DrillPick {
  const { target, windowDays, now } = options;
  const of = target === undefined ? '' : ` of ${target}`;
  const mine = entries
    .filter((e) => target === undefined || e.target === target)
    .map((e) => ({ e, at: finishedInstant(e) }))
    // Oldest first, ties by id: the random pick then depends on the set of backups, not on listing order.
    .sort((a, b) => a.at - b.at || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0));
  if (mine.length === 0) return { none: `no backups${of} at all` };

  const window = `in the last ${windowDays} ${windowDays === 1 ? 'day' : 'days'}`;
  const recent = mine.filter((b) => b.at >= now.getTime() - windowDays * DAY_MS);
  if (recent.length === 0) return { none: `no backups${of} ${window} (newest finished ${formatLocalTime(mine.at(-1)!.e.manifest.finishedAt, options.timeZone)})` };

  // One destination failing leaves the others' copies to drill from.
  const copied = recent.filter((b) => destinationsWithCopy(b.e.offsite, []).length > 0);
  if (copied.length === 0) return { none: `no backups${of} ${window} with an offsite copy` };

  const candidates = copied.filter((b) => b.e.verify?.status !== 'failed');
  if (candidates.length === 0) return { none: `every backup${of} ${window} with an offsite copy failed verify` };

  if (options.pick === 'latest') return { entry: candidates.at(-1)!.e };
  const r = options.random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
  return { entry: candidates[Math.floor(r * candidates.length)].e };
}

export interface RestoreComparison {
  /** median restore seconds of the previous drills; null without any */
  medianPrevious: number | null;
  /** current / medianPrevious; null when there is no median or it is 0 */
  ratio: number | null;
  /** current is more than 1.5 times the median */
  slower: boolean;
}

const SLOWER_FACTOR = 1.5;

/** Compare a drill's restore time with the previous drills' (the caller passes only the ones that passed). */
export function compareRestoreDuration(current: number, previous: number[]): RestoreComparison {
  const sorted = [...previous].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianPrevious = sorted.length === 0 ? null : sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    medianPrevious,
    ratio: medianPrevious === null || medianPrevious === 0 ? null : current / medianPrevious,
    slower: medianPrevious !== null && current > SLOWER_FACTOR * medianPrevious,
  };
}
