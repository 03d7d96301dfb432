import type { AlertState } from '../core/alert-rules.js';
import { JsonStateFile } from './json-state-file.js';

/**
 * The rate limiter's memory, one JSON file in the state dir, so the limit outlives a worker.
 * Unreadable or damaged, it counts as empty: an alert too many beats a lost one.
 */
export class AlertStateStore extends JsonStateFile<AlertState[string]> {
  constructor(file: string, log: (line: string) => void) {
    super(file, log, {
      what: 'alert state',
      plural: false,
      fallback: 'rate limits start afresh',
      entry: ({ lastSentAt, suppressed }) => (typeof lastSentAt === 'string' && typeof suppressed === 'number' ? { lastSentAt, suppressed } : undefined),
    });
  }

  override async read(): Promise<AlertState> {
    return (await super.read()) ?? {};
  }
}
