import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../core/errors.js';
import { writeFileAtomic } from './atomic-write.js';

export interface JsonStateShape<E> {
  /** what the file holds, as the log line names it: "alert state", "schedule counters" */
  what: string;
  /** whether `what` is plural ("are damaged") */
  plural: boolean;
  /** what the reader does instead, for the log line: "rate limits start afresh" */
  fallback: string;
  /** the entry when `value` is well-formed; a malformed entry is dropped and the rest kept */
  entry(value: Record<string, unknown>): E | undefined;
}

/**
 * A small state file in the state dir: one JSON object of entries by key, written atomically so
 * a writer that dies mid-write leaves the previous state, never half a file. Missing, unreadable
 * or damaged, it reads as nothing stored: the state only saves work (a rate limit, counters to
 * compare), so losing it must not stop the activity that reads it.
 */
export class JsonStateFile<E> {
  constructor(
    readonly file: string,
    private readonly log: (line: string) => void,
    private readonly shape: JsonStateShape<E>,
  ) {}

  /** The stored entries; undefined, and a log line unless the file was just missing, when there are none. */
  async read(): Promise<Record<string, E> | undefined> {
    return this.load(this.log);
  }

  async write(state: Record<string, E>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
  }

  /**
   * Records one key's entry. The file is read again first, so an entry of another key written by
   * another activity meanwhile is kept.
   */
  async set(key: string, entry: E): Promise<void> {
    // The caller's read() already said if the file was damaged.
    const state = (await this.load(() => undefined)) ?? {};
    state[key] = entry;
    await this.write(state);
  }

  private async load(log: (line: string) => void): Promise<Record<string, E> | undefined> {
    const { what, plural, fallback } = this.shape;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`${what} ${this.file} unreadable (${describeError(err)}); ${fallback}`);
      return undefined;
    }
    try {
      return this.wellFormed(JSON.parse(text));
    } catch (err) {
      log(`${what} ${this.file} ${plural ? 'are' : 'is'} damaged (${describeError(err)}); ${fallback}`);
      return undefined;
    }
  }

  private wellFormed(value: unknown): Record<string, E> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    const state: Record<string, E> = {};
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
      const entry = this.shape.entry((raw ?? {}) as Record<string, unknown>);
      if (entry !== undefined) state[key] = entry;
    }
    return state;
  }
}
