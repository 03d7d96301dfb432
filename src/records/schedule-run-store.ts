import type { ScheduleRunCounts } from '../core/missed-runs.js';
import { JsonStateFile } from './json-state-file.js';

export const SCHEDULE_RUNS_FILE = 'schedule-runs.json';

/**
 * The schedule counters the watchdog saw last, one JSON file in the state dir. Missing, unreadable
 * or damaged, it reads as "nothing stored": the watchdog then records afresh instead of alerting
 * on counters it cannot date.
 */
export class ScheduleRunStore extends JsonStateFile<ScheduleRunCounts> {
  constructor(file: string, log: (line: string) => void) {
    super(file, log, {
      what: 'schedule counters',
      plural: true,
      fallback: 'recording afresh',
      entry: ({ skippedOverlap, missedCatchupWindow }) =>
        typeof skippedOverlap === 'number' && typeof missedCatchupWindow === 'number' ? { skippedOverlap, missedCatchupWindow } : undefined,
    });
  }
}
