import { finishedInstant, type BackupEntry } from './backup-record.js';
import { formatLocalTime } from './format.js';

/** Which backup `ops restore` restores: one by id, the newest verified one, or the newest verified one finished before a time. */
export type RestorePick = { backupId: string } | { latest: true } | { before: string };

export type RestorePickResult = { entry: BackupEntry } | { none: string };

/**
 * The backup a restore uses, or why none qualifies (naming the target). `--latest` and `--before`
 * take only backups whose verify passed: a recovery should not be the first test of a backup.
 * An explicit `--backup ID` is the user's choice; the restore's own checks judge it.
 */
export function pickBackupForRestore(entries: BackupEntry[], target: string, pick: RestorePick, timeZone: string): RestorePickResult {
  const mine = entries.filter((e) => e.target === target).sort((a, b) => finishedInstant(a) - finishedInstant(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if ('backupId' in pick) {
    const entry = mine.find((e) => e.id === pick.backupId);
    if (entry) return { entry };
    if (entries.some((e) => e.id === pick.backupId)) return { none: `backup ${pick.backupId} is not a backup of ${target}` };
    return { none: `no backup ${pick.backupId} of ${target} in the repository` };
  }
  if (mine.length === 0) return { none: `no backups of ${target} in the repository` };
  const verified = mine.filter((e) => e.verify?.status === 'passed');
  if (verified.length === 0) return { none: `no verified backup of ${target}: none of its ${mine.length} backup(s) passed verify` };
  if ('latest' in pick) return { entry: verified.at(-1)! };

  const before = parseBeforeTime(pick.before);
  if (!before) return { none: beforeTimeProblem(pick.before) };
  const earlier = verified.filter((e) => finishedInstant(e) < before.getTime());
  if (earlier.length === 0) {
    return { none: `no verified backup of ${target} finished before ${formatLocalTime(before, timeZone)} (the oldest finished ${formatLocalTime(verified[0]!.manifest.finishedAt, timeZone)})` };
  }
  return { entry: earlier.at(-1)! };
}

/** An ISO 8601 time with a date and an explicit zone (Z or ±hh:mm), so it means one instant wherever ops runs. */
export function parseBeforeTime(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at);
}

/** Why a --before text is not a time parseBeforeTime takes; a local time without its zone says so. */
export function beforeTimeProblem(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) {
    return `--before "${text}" has no time zone, so it is not one instant: add Z or an offset, e.g. ${text}Z or ${text}+01:00`;
  }
  return `--before "${text}" is not an ISO time such as 2026-12-01T08:00:00Z`;
}

/** How the pick reads on a command line, for summaries and reports. */
export function describePick(pick: RestorePick): string {
  if ('backupId' in pick) return `--backup ${pick.backupId}`;
  return 'latest' in pick ? '--latest' : `--before ${pick.before}`;
}

/**
 * <db>_restored_<stamp>, the database a restore creates unless --into names one; cut to fit
 * PostgreSQL's 63 characters (MySQL allows 64).
 */
export function restoredDatabaseName(sourceDatabase: string, stamp: string): string {
  const suffix = `_restored_${stamp.toLowerCase()}`;
  return `${sourceDatabase.slice(0, 63 - suffix.length)}${suffix}`;
}

/** <db>_before_restore_<stamp>: where `--replace` keeps the database it replaced, until the user drops it. */
export function keptDatabaseName(database: string, stamp: string): string {
  const suffix = `_before_restore_${stamp.toLowerCase()}`;
  return `${database.slice(0, 63 - suffix.length)}${suffix}`;
}

/** Why NAME cannot be a database a restore creates, or undefined when it can. */
export function databaseNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `database name "${name}" must be letters, digits and _, not starting with a digit`;
  if (name.length > 63) return `database name "${name}" is longer than 63 characters`;
  return undefined;
}
