import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../../core/errors.js';
import type { StoredRunCounts } from '../../core/missed-runs.js';
import { writeFileAtomic } from '../../records/atomic-write.js';

export const SCHEDULE_RUNS_FILE = 'schedule-runs.json';

/**
 * The schedule counters the watchdog saw last, one JSON file in the state dir. Missing, unreadable
 * or damaged, it reads as "nothing stored": the watchdog then records afresh instead of alerting
 * on counters it cannot date.
 */
export class ScheduleRunStore {
  constructor(
    readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  async read(): Promise<StoredRunCounts | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`schedule counters ${this.file} unreadable (${describeError(err)}); recording afresh`);
      return undefined;
    }
    try {
      return wellFormed(JSON.parse(text));
    } catch (err) {
      this.log(`schedule counters ${this.file} are damaged (${describeError(err)}); recording afresh`);
      return undefined;
    }
  }

  /** Atomic, so a watchdog that dies mid-write leaves the previous counters, never half a file. */
  async write(counts: StoredRunCounts): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify(counts, null, 2)}\n`);
  }
}

function wellFormed(value: unknown): StoredRunCounts {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  const counts: StoredRunCounts = {};
  for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
    const { skippedOverlap, missedCatchupWindow } = (entry ?? {}) as Record<string, unknown>;
    if (typeof skippedOverlap === 'number' && typeof missedCatchupWindow === 'number') counts[id] = { skippedOverlap, missedCatchupWindow };
  }
  return counts;
}
