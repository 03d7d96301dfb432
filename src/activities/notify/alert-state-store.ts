import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AlertState } from '../../core/alert-rules.js';
import { describeError } from '../../core/errors.js';
import { writeFileAtomic } from '../../records/atomic-write.js';

/**
 * The rate limiter's memory, one JSON file in the state dir, so the limit outlives a worker.
 * Unreadable or damaged, it counts as empty: an alert too many beats a lost one.
 */
export class AlertStateStore {
  constructor(
    readonly file: string,
    private readonly log: (line: string) => void,
  ) {}

  async read(): Promise<AlertState> {
    return this.load(this.log);
  }

  /**
   * Records one key's entry. The file is read again first, so an alert of another key written by
   * another activity meanwhile is kept; the write is atomic, so a reader never sees half a file.
   */
  async record(key: string, entry: AlertState[string]): Promise<void> {
    // read() already said if the file was damaged.
    const state = await this.load(() => undefined);
    state[key] = entry;
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
  }

  private async load(log: (line: string) => void): Promise<AlertState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`alert state ${this.file} unreadable (${describeError(err)}); rate limits start afresh`);
      return {};
    }
    try {
      return wellFormed(JSON.parse(text));
    } catch (err) {
      log(`alert state ${this.file} is damaged (${describeError(err)}); rate limits start afresh`);
      return {};
    }
  }
}

function wellFormed(value: unknown): AlertState {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
  const state: AlertState = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const { lastSentAt, suppressed } = (entry ?? {}) as Record<string, unknown>;
    if (typeof lastSentAt === 'string' && typeof suppressed === 'number') state[key] = { lastSentAt, suppressed };
  }
  return state;
}
