import { describe, expect, it } from 'vitest';
import { formatElapsed, formatWaitLine, type WaitLine } from '../../src/core/wait-line.js';

describe('formatWaitLine', () => {
  it.each<[WaitLine, string]>([
    [{ elapsedSeconds: 0, label: '', step: 'plan', status: 'pending' }, '  00:00  plan                           pending'],
    [{ elapsedSeconds: 12.7, label: 'pg-db › ', step: 'dump', status: 'done', durationSeconds: 4.1 }, '  00:12  pg-db › dump                   done (4.1s)'],
    [{ elapsedSeconds: 75, label: 'pg-db › ', step: 'verify', status: 'failed', durationSeconds: 65, detail: 'row count of public.orders: 3 != 4' }, '  01:15  pg-db › verify                 failed (1m 05s): row count of public.orders: 3 != 4'],
    [{ elapsedSeconds: 3725, label: '', step: 'target files', status: 'running' }, '  1:02:05  target files                   running'],
    [{ elapsedSeconds: 30, label: 'docs › ', step: 'offsite', status: 'skipped', detail: 'no backup.offsite configured' }, '  00:30  docs › offsite                 skipped: no backup.offsite configured'],
    // A label and step longer than the column still leave one space before the status.
    [{ elapsedSeconds: 1, label: 'a-very-long-target-name › ', step: 'verify', status: 'done', durationSeconds: 0 }, '  00:01  a-very-long-target-name › verify done (0s)'],
  ])('%o', (line, expected) => {
    expect(formatWaitLine(line)).toBe(expected);
  });
});

describe('formatElapsed', () => {
  it.each([
    [0, '00:00'],
    [-2, '00:00'],
    [59.9, '00:59'],
    [600, '10:00'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [36_061, '10:01:01'],
  ])('%s s → %s', (seconds, expected) => {
    expect(formatElapsed(seconds)).toBe(expected);
  });
});
