import { join } from 'node:path';
import type { ScheduleClient, ScheduleDescription } from '@temporalio/client';
import type { OpsConfig } from '../../config/load-config.js';
import type { ScheduleRunSnapshot, StoredRunCounts } from '../../core/missed-runs.js';
import { surveySchedules } from '../../schedules/apply-schedules.js';
import { ownerOf } from '../../schedules/schedule-options.js';
import { SCHEDULE_RUNS_FILE, ScheduleRunStore } from '../../records/schedule-run-store.js';

export interface ScheduleRunDeps {
  config: OpsConfig;
  schedules: ScheduleClient;
  /** The worker's task queue: it names the installation whose schedules these are. */
  taskQueue: string;
  log?: (line: string) => void;
}

export interface ScheduleRunSurvey {
  /** undefined when nothing is stored yet */
  previous?: StoredRunCounts;
  current: ScheduleRunSnapshot[];
}

/**
 * The watchdog's view of this installation's schedules: their run counters now and as stored by
 * the previous watchdog run. Deciding is left to the workflow; the counters are stored only after
 * its alerts went out, so a run that dies in between alerts again rather than never.
 */
export function createScheduleRunActivities({ config, schedules, taskQueue, log = (line: string) => console.warn(line) }: ScheduleRunDeps) {
  const store = new ScheduleRunStore(join(config.stateDir, SCHEDULE_RUNS_FILE), log);
  return {
    async surveyScheduleRuns(): Promise<ScheduleRunSurvey> {
      const [previous, { found }] = await Promise.all([store.read(), surveySchedules(schedules, config, taskQueue)]);
      // A declared id may be held by someone else's schedule: its misses are not ours to report.
      const current = found.filter((description) => ownerOf(description) === taskQueue).map(snapshotOf);
      return { ...(previous ? { previous } : {}), current };
    },
    recordScheduleRuns: (counts: StoredRunCounts): Promise<void> => store.write(counts),
  };
}

export type ScheduleRunActivities = ReturnType<typeof createScheduleRunActivities>;

function snapshotOf(description: ScheduleDescription): ScheduleRunSnapshot {
  return {
    id: description.scheduleId,
    paused: description.state.paused,
    // Unspecified means the server's default, SKIP.
    overlap: description.policies.overlap ?? 'SKIP',
    skippedOverlap: description.info.numActionsSkippedOverlap,
    missedCatchupWindow: description.info.numActionsMissedCatchupWindow,
  };
}
