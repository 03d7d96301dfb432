import type { AlertEvent } from './alert-rules.js';

/**
 * Whether a schedule's runs went missing since the watchdog last looked. Temporal only keeps
 * lifetime counters per schedule (runs skipped by the overlap policy, runs that missed the
 * catch-up window), so the watchdog stores them each time and alerts on growth.
 */
export interface ScheduleRunCounts {
  skippedOverlap: number;
  missedCatchupWindow: number;
}

/** One schedule of this installation as describe() shows it now. */
export interface ScheduleRunSnapshot extends ScheduleRunCounts {
  id: string;
  paused: boolean;
  /** SKIP, BUFFER_ONE, ...: named in the cause, since it is why the runs were skipped */
  overlap: string;
}

/** Schedule id → the counters the last watchdog run saw. */
export type StoredRunCounts = Record<string, ScheduleRunCounts>;

export interface MissedRunDecision {
  /** one per schedule whose counters grew, in id order */
  alerts: AlertEvent[];
  /** what to store for the next run: the current counters of every schedule seen now */
  next: StoredRunCounts;
}

/**
 * Counters are only compared with counters stored by an earlier run: with none stored (the first
 * watchdog run, or a schedule first seen now) the watchdog cannot tell when they grew, so it only
 * records them. A paused schedule starts nothing on purpose, so it is never reported. A counter
 * that shrank belongs to a schedule deleted and created again under the same id; it is a new baseline.
 */
export function missedRunAlerts(previous: StoredRunCounts | undefined, current: ScheduleRunSnapshot[], runUrl?: string): MissedRunDecision {
  const sorted = [...current].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const next: StoredRunCounts = {};
  const alerts: AlertEvent[] = [];
  for (const schedule of sorted) {
    const { id, skippedOverlap, missedCatchupWindow } = schedule;
    next[id] = { skippedOverlap, missedCatchupWindow };
    const before = previous?.[id];
    if (before === undefined || schedule.paused) continue;
    const causes = [
      ...countedCause(skippedOverlap - before.skippedOverlap, (runs) => `${runs} skipped because the previous run was still running (overlap ${schedule.overlap})`),
      ...countedCause(missedCatchupWindow - before.missedCatchupWindow, (runs) => `${runs} missed the catch-up window`),
    ];
    if (causes.length > 0) alerts.push({ kind: 'schedule-missed', subject: id, cause: causes.join('; '), ...(runUrl ? { runUrl } : {}) });
  }
  return { alerts, next };
}

function countedCause(grown: number, sentence: (runs: string) => string): string[] {
  return grown > 0 ? [sentence(`${grown} ${grown === 1 ? 'run' : 'runs'}`)] : [];
}
