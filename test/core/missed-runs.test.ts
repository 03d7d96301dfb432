import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/core/alert-rules.js';
import { missedRunAlerts, type ScheduleRunSnapshot, type StoredRunCounts } from '../../src/core/missed-runs.js';

const RUN = 'http://temporal:8233/namespaces/default/workflows/backup-watchdog-1/r1/history';
const OVERLAP = 'because the previous run was still running (overlap SKIP)';

const now = (id: string, skippedOverlap: number, missedCatchupWindow: number, extra: Partial<ScheduleRunSnapshot> = {}): ScheduleRunSnapshot => ({
  id, skippedOverlap, missedCatchupWindow, paused: false, overlap: 'SKIP', ...extra,
});
const missed = (subject: string, cause: string): AlertEvent => ({ kind: 'schedule-missed', subject, cause });

describe('missedRunAlerts', () => {
  it.each<[string, StoredRunCounts | undefined, ScheduleRunSnapshot[], AlertEvent[]]>([
    ['first run: historic counts are only recorded', undefined, [now('nightly-backup', 7, 2)], []],
    ['nothing grew', { 'nightly-backup': { skippedOverlap: 7, missedCatchupWindow: 2 } }, [now('nightly-backup', 7, 2)], []],
    [
      'one run skipped by the overlap policy',
      { 'nightly-backup': { skippedOverlap: 7, missedCatchupWindow: 2 } },
      [now('nightly-backup', 8, 2)],
      [missed('nightly-backup', `1 run skipped ${OVERLAP}`)],
    ],
    [
      'runs missed the catch-up window',
      { 'monthly-drill': { skippedOverlap: 0, missedCatchupWindow: 0 } },
      [now('monthly-drill', 0, 3)],
      [missed('monthly-drill', '3 runs missed the catch-up window')],
    ],
    [
      'both causes in one alert per schedule, schedules in id order',
      { b: { skippedOverlap: 1, missedCatchupWindow: 1 }, a: { skippedOverlap: 0, missedCatchupWindow: 0 } },
      [now('b', 4, 2), now('a', 0, 1)],
      [missed('a', '1 run missed the catch-up window'), missed('b', `3 runs skipped ${OVERLAP}; 1 run missed the catch-up window`)],
    ],
    [
      'the overlap policy named as configured',
      { deploy: { skippedOverlap: 0, missedCatchupWindow: 0 } },
      [now('deploy', 2, 0, { overlap: 'BUFFER_ONE' })],
      [missed('deploy', '2 runs skipped because the previous run was still running (overlap BUFFER_ONE)')],
    ],
    ['a paused schedule is not a miss', { 'nightly-backup': { skippedOverlap: 0, missedCatchupWindow: 0 } }, [now('nightly-backup', 5, 5, { paused: true })], []],
    ['a schedule first seen now is only recorded', { a: { skippedOverlap: 0, missedCatchupWindow: 0 } }, [now('a', 0, 0), now('new', 4, 1)], []],
    ['counters that shrank (deleted and created again) are a new baseline', { a: { skippedOverlap: 9, missedCatchupWindow: 4 } }, [now('a', 2, 0)], []],
    [
      'only the grown counter of a recreated schedule counts',
      { a: { skippedOverlap: 9, missedCatchupWindow: 0 } },
      [now('a', 2, 1)],
      [missed('a', '1 run missed the catch-up window')],
    ],
  ])('%s', (_name, previous, current, expected) => {
    expect(missedRunAlerts(previous, current).alerts).toStrictEqual(expected);
  });

  it('stores the current counters of every schedule seen now, and forgets the ones gone', () => {
    const previous = { gone: { skippedOverlap: 1, missedCatchupWindow: 1 }, a: { skippedOverlap: 1, missedCatchupWindow: 0 } };
    expect(missedRunAlerts(previous, [now('b', 0, 2, { paused: true }), now('a', 3, 0)]).next).toStrictEqual({
      a: { skippedOverlap: 3, missedCatchupWindow: 0 },
      b: { skippedOverlap: 0, missedCatchupWindow: 2 },
    });
  });

  it('links each alert to the watchdog run', () => {
    const { alerts } = missedRunAlerts({ a: { skippedOverlap: 0, missedCatchupWindow: 0 } }, [now('a', 1, 0)], RUN);
    expect(alerts).toStrictEqual([{ ...missed('a', `1 run skipped ${OVERLAP}`), runUrl: RUN }]);
  });
});
