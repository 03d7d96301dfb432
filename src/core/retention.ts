import type { BackupTrigger } from './backup-id.js';

/**
 * Grandfather-father-son retention, decided from the backup list alone (no clock: only calendar
 * buckets matter, never ages), so the same list always gives the same decision.
 *
 * Like restic's `forget --keep-daily/weekly/monthly`: walk the backups newest first; each rule
 * keeps one backup of each of its last N distinct buckets (calendar day, ISO week, month in the
 * configured time zone) that have backups. One backup may fill a slot in several rules. Like
 * restic's `--keep-last`, the newest `keepLast` backups are kept besides, whatever started them.
 *
 * Unlike restic, a backup whose verify failed is never a candidate: it neither fills a slot nor
 * makes its bucket count, so a broken dump cannot push a good one out of retention. Within a
 * bucket the slot goes to the newest scheduled backup, and to the newest manual one (`ops backup`,
 * say before a risky change) only when the bucket has no scheduled one: a manual backup never
 * evicts a scheduled one on its own, and the slots stay evenly spaced. Verified or not yet
 * verified ('none', 'running') makes no difference there: a verify that has not run is not
 * evidence of a bad backup. The newest verified backup is protected separately.
 *
 * Safety rules override the policy: the newest backup, the newest verified backup and any
 * backup whose verify is still running are always kept, and so is a tagged backup (the one a
 * deploy took before it migrated) until its hold runs out. A tagged backup is a manual one, so it
 * never takes a scheduled backup's slot.
 */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
  /** the newest N backups that did not fail verify, scheduled or manual; none when absent */
  keepLast?: number;
}

export interface RetentionCandidate {
  id: string;
  /** ISO 8601 instant */
  finishedAt: string;
  verify: 'passed' | 'failed' | 'running' | 'none';
  /** absent: scheduled */
  trigger?: BackupTrigger;
  /** A tagged backup (`pre-deploy-<app>-<sha>`) kept whatever the policy until this instant (ISO 8601). */
  held?: { tag: string; until: string };
}

export interface RetentionDecision {
  /** newest first; reasons in the order daily, weekly, monthly, last, newest, newest verified, verify running, tagged */
  keep: Array<{ id: string; reasons: string[] }>;
  /** oldest first */
  delete: string[];
}

interface Dated extends RetentionCandidate {
  at: number;
}

interface CalendarBuckets {
  day: string;
  week: string;
  month: string;
}

/** `now` only tells whether a tagged backup's hold has run out; without it every hold counts as current. */
export function decideRetention(backups: RetentionCandidate[], policy: RetentionPolicy, timeZone = 'UTC', now?: Date): RetentionDecision {
  const newestFirst = backups.map(toDated).sort((a, b) => b.at - a.at || compareText(b.id, a.id));
  const bucketsOf = calendarBuckets(timeZone);
  const reasons = new Map<string, string[]>(newestFirst.map((b) => [b.id, []]));

  const rules: Array<{ name: string; slots: number; bucket: keyof CalendarBuckets }> = [
    { name: 'daily', slots: policy.daily, bucket: 'day' },
    { name: 'weekly', slots: policy.weekly, bucket: 'week' },
    { name: 'monthly', slots: policy.monthly, bucket: 'month' },
  ];
  const candidates = newestFirst.filter((b) => b.verify !== 'failed').map((b) => ({ id: b.id, manual: b.trigger === 'manual', buckets: bucketsOf(new Date(b.at)) }));
  for (const rule of rules) {
    // Buckets in the order of their newest backup, each with its backups newest first.
    const buckets = new Map<string, typeof candidates>();
    for (const candidate of candidates) {
      const bucket = candidate.buckets[rule.bucket];
      const group = buckets.get(bucket);
      if (group) group.push(candidate);
      else buckets.set(bucket, [candidate]);
    }
    for (const [bucket, backups] of [...buckets].slice(0, rule.slots)) {
      const slot = backups.find((b) => !b.manual) ?? backups[0]!;
      reasons.get(slot.id)!.push(`${rule.name} ${bucket}`);
    }
  }
  for (const { id } of candidates.slice(0, policy.keepLast ?? 0)) reasons.get(id)!.push('last');

  const newest = newestFirst[0];
  if (newest) reasons.get(newest.id)!.push('newest');
  const newestVerified = newestFirst.find((b) => b.verify === 'passed');
  if (newestVerified) reasons.get(newestVerified.id)!.push('newest verified');
  for (const b of newestFirst) if (b.verify === 'running') reasons.get(b.id)!.push('verify running');
  for (const b of newestFirst) if (b.held && (!now || Date.parse(b.held.until) > now.getTime())) reasons.get(b.id)!.push(`tagged ${b.held.tag}`);

  return {
    keep: newestFirst.filter((b) => reasons.get(b.id)!.length > 0).map((b) => ({ id: b.id, reasons: reasons.get(b.id)! })),
    delete: newestFirst
      .filter((b) => reasons.get(b.id)!.length === 0)
      .map((b) => b.id)
      .reverse(),
  };
}

function toDated(candidate: RetentionCandidate): Dated {
  const at = Date.parse(candidate.finishedAt);
  if (Number.isNaN(at)) throw new Error(`backup ${candidate.id}: finishedAt is not a date: "${candidate.finishedAt}"`);
  return { ...candidate, at };
}

/** Plain code-unit order, not localeCompare, so the tie-break does not depend on the host's locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Day, ISO week and month labels (2026-11-21, 2026-W47, 2026-11) of an instant as seen in `timeZone`. */
export function calendarBuckets(timeZone: string): (instant: Date) => CalendarBuckets {
  // en-US with numeric parts and the gregorian calendar: the parts are plain ASCII digits whatever the host locale.
  const format = new Intl.DateTimeFormat('en-US', { timeZone, calendar: 'gregory', numberingSystem: 'latn', year: 'numeric', month: 'numeric', day: 'numeric' });
  return (instant) => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
    const year = Number(parts.year);
    const month = Number(parts.month);
    const day = Number(parts.day);
    const week = isoWeek(year, month, day);
    return {
      day: `${year}-${pad(month)}-${pad(day)}`,
      week: `${week.year}-W${pad(week.week)}`,
      month: `${year}-${pad(month)}`,
    };
  };
}

/** ISO 8601 week of a calendar date: weeks start on Monday and week 1 holds the year's first Thursday. */
function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const dayOfYear = (date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000;
  return { year: weekYear, week: Math.floor(dayOfYear / 7) + 1 };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
