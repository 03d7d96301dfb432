import { formatJsonLine, parseJsonLines } from './json-lines.js';
import type { RestoreRecord } from './restore-report.js';

/** One finished `ops restore` run as its target's restore log keeps it: no checks, only what metrics and status read. */
export interface RestoreLogEntry {
  workflowId: string;
  target: string;
  status: RestoreRecord['status'];
  startedAt: string;
  finishedAt: string;
  backupId?: string;
  database?: string;
  server?: string;
  /** recovery time, start to checked; a restore that did not pass has none */
  rtoSeconds?: number;
}

export function restoreLogEntry(record: RestoreRecord): RestoreLogEntry {
  const { workflowId, target, status, startedAt, finishedAt, backupId, database, server, rtoSeconds } = record;
  return {
    workflowId, target, status, startedAt, finishedAt,
    ...(backupId !== undefined ? { backupId } : {}),
    ...(database !== undefined ? { database } : {}),
    ...(server !== undefined ? { server } : {}),
    ...(rtoSeconds !== undefined ? { rtoSeconds } : {}),
  };
}

export function formatRestoreLogLine(entry: RestoreLogEntry): string {
  return formatJsonLine(entry);
}

export function parseRestoreLog(text: string): RestoreLogEntry[] {
  return parseJsonLines(text, isRestoreLogEntry);
}

/** The RTO of the target's newest restore that passed (by finish time), or null when none did. */
export function lastRtoSeconds(entries: RestoreLogEntry[], target: string): number | null {
  const passed = entries.filter((e) => e.target === target && e.status === 'passed' && e.rtoSeconds !== undefined);
  const newest = passed.reduce<RestoreLogEntry | undefined>((best, e) => (best === undefined || Date.parse(e.finishedAt) >= Date.parse(best.finishedAt) ? e : best), undefined);
  return newest?.rtoSeconds ?? null;
}

function isRestoreLogEntry(value: unknown): value is RestoreLogEntry {
  const v = value as Partial<RestoreLogEntry> | null;
  return typeof v === 'object' && v !== null && typeof v.workflowId === 'string' && typeof v.target === 'string' && typeof v.status === 'string' && typeof v.finishedAt === 'string';
}
