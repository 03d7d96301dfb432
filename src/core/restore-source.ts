import { backupId, dateOfStamp, parseBackupId } from './backup-id.js';
import type { BackupEntry } from './backup-record.js';
import { formatLocalTime } from './format.js';
import { parseBeforeTime, type RestorePick } from './restore-pick.js';

/**
 * Where `ops restore` takes the backup from: the local repository, or an offsite destination
 * (named, or the first configured that has a qualifying copy). Absent: local, else offsite.
 */
export type RestoreSource = { local: true } | { offsite: true; destination?: string };

/** `--from local|offsite[:<destination>]`, or undefined when the text is neither. */
export function parseRestoreSource(text: string): RestoreSource | undefined {
  if (text === 'local') return { local: true };
  if (text === 'offsite') return { offsite: true };
  if (text.startsWith('offsite:') && text.length > 'offsite:'.length) return { offsite: true, destination: text.slice('offsite:'.length) };
  return undefined;
}

/**
 * The offsite copy a restore uses, from the stamps of the target's complete copies at `where`, or
 * why none qualifies. An offsite copy holds the artifact and its manifest, not the verify record
 * (the copy is made before verify runs), so "verified" is what the local repository still says:
 * a copy whose backup failed verify there is never picked by --latest or --before; a copy the
 * repository no longer knows (a lost backup host) is taken, and the restore's own checks (the
 * same as verify's) judge it before it takes its final name. --before compares the stamp, the
 * backup's start, since the finish time is in the manifest, not in a listing.
 */
export function pickOffsiteCopy(stamps: string[], local: BackupEntry[], target: string, pick: RestorePick, where: string, timeZone: string): { stamp: string } | { none: string } {
  if ('backupId' in pick) {
    const wanted = parseBackupId(pick.backupId);
    if (wanted.target !== target) return { none: `backup ${pick.backupId} is not a backup of ${target}` };
    return stamps.includes(wanted.stamp) ? { stamp: wanted.stamp } : { none: `no copy of ${pick.backupId} at ${where}` };
  }
  const failed = new Set(local.filter((e) => e.target === target && e.verify?.status === 'failed').map((e) => e.stamp));
  const usable = stamps.filter((s) => !failed.has(s)).sort();
  if (usable.length === 0) return { none: stamps.length === 0 ? `no copies of ${target} at ${where}` : `no copy of ${target} at ${where} whose backup did not fail verify` };
  if ('latest' in pick) return { stamp: usable.at(-1)! };
  const before = parseBeforeTime(pick.before);
  if (!before) return { none: `--before "${pick.before}" is not an ISO time such as 2026-12-01T08:00:00Z` };
  const earlier = usable.filter((s) => dateOfStamp(s).getTime() < before.getTime());
  if (earlier.length === 0) return { none: `no copy of ${target} at ${where} taken before ${formatLocalTime(before, timeZone)} (the oldest is ${backupId(target, usable[0]!)})` };
  return { stamp: earlier.at(-1)! };
}
