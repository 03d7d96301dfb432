import { formatJsonLine, parseJsonLines } from './json-lines.js';
import { dateOfStamp, parseBackupId } from './backup-id.js';
import type { BackupEntry } from './backup-record.js';

/**
 * The run history: one JSON line per finished backup or verify run, appended to
 * <repository>/.history/<target>.jsonl and never pruned. Retention deletes failed backups, so
 * the backups on disk cannot tell how often verify failed in a row or how many runs failed this
 * week; like pgBackRest's and restic's logs, the history outlives the backups it describes.
 */
export interface BackupRunRecord {
  /** when the run finished (the dump failed, or verify reached its verdict) */
  at: string;
  target: string;
  /** 'backup': the chain's dump then verify; 'verify': a re-verify of an existing backup (`ops verify`) */
  kind: 'backup' | 'verify';
  /** absent when the dump failed: a failed dump leaves no backup */
  backupId?: string;
  /** backup runs only */
  dump?: 'ok' | 'failed';
  verify: 'passed' | 'failed' | 'none';
  /** why the dump or verify failed: one line, as in the report and the alert, clipped */
  reason?: string;
  /** the run that wrote the line: a retried append of the same run is written once */
  workflowId?: string;
  runId?: string;
}

const REASON_MAX = 300;

/** A reason fit for one history line: its first line, at most REASON_MAX characters. */
export function clipReason(reason: string): string {
  const line = reason.split('\n', 1)[0]!.trim();
  return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX - 1)}…` : line;
}

export function formatRunRecordLine(record: BackupRunRecord): string {
  return formatJsonLine(record);
}

/** Parses a history file, skipping lines that are not records (a torn last line after a crash, a hand edit). */
export function parseRunRecords(text: string): BackupRunRecord[] {
  return parseJsonLines(text, isRunRecord);
}

/** A backup run: ok when the dump succeeded and verify passed; one that was never verified does not count. */
interface RunAttempt {
  at: number;
  ok: boolean;
}

/** A verify verdict on one backup; `backupAt` orders the backups, `at` is when the verdict was reached. */
export interface RunVerdict {
  backupId: string;
  backupAt: number;
  at: number;
  passed: boolean;
}

/**
 * The attempts and verdicts of one target: from its history, plus the backups on disk the history
 * does not mention (made before the history existed), judged by their verify records as before.
 */
export function targetRuns(target: string, history: BackupRunRecord[], entries: BackupEntry[]): { attempts: RunAttempt[]; verdicts: RunVerdict[] } {
  const attempts: RunAttempt[] = [];
  const verdicts: RunVerdict[] = [];
  const own = history.filter((r) => r.target === target);
  const mentioned = new Set(own.flatMap((r) => (r.backupId === undefined ? [] : [r.backupId])));
  for (const r of own) {
    const at = instant(r.at, `history of ${target}: at`);
    const judged = r.verify !== 'none' && r.backupId !== undefined;
    if (r.kind === 'backup' && (r.dump === 'failed' || judged)) attempts.push({ at, ok: r.dump === 'ok' && r.verify === 'passed' });
    if (judged) verdicts.push({ backupId: r.backupId!, backupAt: dateOfStamp(parseBackupId(r.backupId!).stamp).getTime(), at, passed: r.verify === 'passed' });
  }
  for (const e of entries) {
    if (e.target !== target || mentioned.has(e.id)) continue;
    if (e.verify?.status !== 'passed' && e.verify?.status !== 'failed') continue;
    const passed = e.verify.status === 'passed';
    const backupAt = instant(e.manifest.finishedAt, `backup ${e.id}: finishedAt`);
    attempts.push({ at: backupAt, ok: passed });
    verdicts.push({ backupId: e.id, backupAt, at: instant(e.verify.finishedAt ?? e.verify.startedAt, `backup ${e.id}: verify finishedAt`), passed });
  }
  return { attempts, verdicts };
}

/**
 * Verify failures in a row: each backup's latest verdict, newest backup first, up to the first pass.
 * Ordered by backup, not by verdict, so re-verifying an old backup does not hide that new ones fail.
 */
export function consecutiveVerifyFailures(verdicts: RunVerdict[]): number {
  const latest = new Map<string, RunVerdict>();
  for (const v of verdicts) {
    const seen = latest.get(v.backupId);
    if (!seen || v.at >= seen.at) latest.set(v.backupId, v);
  }
  const newestFirst = [...latest.values()].sort((a, b) => b.backupAt - a.backupAt || (a.backupId < b.backupId ? 1 : a.backupId > b.backupId ? -1 : 0));
  const firstPass = newestFirst.findIndex((v) => v.passed);
  return firstPass === -1 ? newestFirst.length : firstPass;
}

/** Milliseconds of an ISO time; a record whose time does not parse is refused, naming the field. */
export function instant(iso: string, what: string): number {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) throw new Error(`${what} is not a date: "${iso}"`);
  return at;
}

function isRunRecord(value: unknown): value is BackupRunRecord {
  const v = value as Partial<BackupRunRecord> | null;
  if (typeof v !== 'object' || v === null || typeof v.target !== 'string' || typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at))) return false;
  if (!['passed', 'failed', 'none'].includes(v.verify as string)) return false;
  if (v.reason !== undefined && typeof v.reason !== 'string') return false;
  if (v.backupId !== undefined && !isBackupIdOf(v.backupId, v.target)) return false;
  if (v.kind === 'backup') return v.dump === 'failed' ? v.backupId === undefined && v.verify === 'none' : v.dump === 'ok' && v.backupId !== undefined;
  return v.kind === 'verify' && v.dump === undefined && v.backupId !== undefined && v.verify !== 'none';
}

function isBackupIdOf(id: unknown, target: string): boolean {
  if (typeof id !== 'string') return false;
  try {
    const parsed = parseBackupId(id);
    dateOfStamp(parsed.stamp);
    return parsed.target === target;
  } catch {
    return false;
  }
}
