import { describe, expect, it } from 'vitest';
import { calendarBuckets, decideRetention, type RetentionCandidate, type RetentionDecision, type RetentionPolicy } from '../../src/core/retention.js';

type Verify = RetentionCandidate['verify'];

/** A backup named by its UTC finish time, e.g. b('2026-11-21T02:00'). */
function b(finished: string, verify: Verify = 'passed'): RetentionCandidate {
  return { id: `db-${finished}`, finishedAt: `${finished}:00Z`, verify };
}

/** A manual backup (`ops backup`), named like b(). */
function m(finished: string, verify: Verify = 'passed'): RetentionCandidate {
  return { ...b(finished, verify), trigger: 'manual' };
}

function keep(finished: string, ...reasons: string[]): { id: string; reasons: string[] } {
  return { id: `db-${finished}`, reasons };
}

function ids(...finished: string[]): string[] {
  return finished.map((f) => `db-${f}`);
}

const daily = (n: number): RetentionPolicy => ({ daily: n, weekly: 0, monthly: 0 });

describe('decideRetention', () => {
  it.each<[string, RetentionCandidate[], RetentionPolicy, string, RetentionDecision['keep'], string[]]>([
    ['empty list', [], { daily: 7, weekly: 4, monthly: 12 }, 'UTC', [], []],
    [
      'fewer backups than slots',
      [b('2026-11-20T02:00'), b('2026-11-21T02:00')],
      { daily: 7, weekly: 4, monthly: 12 },
      'UTC',
      [
        keep('2026-11-21T02:00', 'daily 2026-11-21', 'weekly 2026-W47', 'monthly 2026-11', 'newest', 'newest verified'),
        keep('2026-11-20T02:00', 'daily 2026-11-20'),
      ],
      [],
    ],
    [
      'several per day: the newest of each day fills the slot, input order does not matter',
      [b('2026-11-21T14:00'), b('2026-11-20T02:00'), b('2026-11-21T02:00'), b('2026-11-21T20:00'), b('2026-11-20T14:00'), b('2026-11-19T14:00')],
      daily(2),
      'UTC',
      [keep('2026-11-21T20:00', 'daily 2026-11-21', 'newest', 'newest verified'), keep('2026-11-20T14:00', 'daily 2026-11-20')],
      ids('2026-11-19T14:00', '2026-11-20T02:00', '2026-11-21T02:00', '2026-11-21T14:00'),
    ],
    [
      'days without backups do not use up slots',
      [b('2026-11-01T02:00'), b('2026-11-10T02:00'), b('2026-11-21T02:00')],
      daily(2),
      'UTC',
      [keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest', 'newest verified'), keep('2026-11-10T02:00', 'daily 2026-11-10')],
      ids('2026-11-01T02:00'),
    ],
    [
      'week boundary: Sunday and Monday are different ISO weeks',
      [b('2026-11-15T02:00'), b('2026-11-15T20:00'), b('2026-11-16T02:00'), b('2026-11-17T02:00'), b('2026-11-08T02:00')],
      { daily: 0, weekly: 2, monthly: 0 },
      'UTC',
      [keep('2026-11-17T02:00', 'weekly 2026-W47', 'newest', 'newest verified'), keep('2026-11-15T20:00', 'weekly 2026-W46')],
      ids('2026-11-08T02:00', '2026-11-15T02:00', '2026-11-16T02:00'),
    ],
    [
      'ISO week of early January belongs to the previous week-year',
      [b('2026-12-28T02:00'), b('2027-01-03T02:00'), b('2027-01-04T02:00')],
      { daily: 0, weekly: 2, monthly: 0 },
      'UTC',
      [keep('2027-01-04T02:00', 'weekly 2027-W01', 'newest', 'newest verified'), keep('2027-01-03T02:00', 'weekly 2026-W53')],
      ids('2026-12-28T02:00'),
    ],
    [
      'month boundary',
      [b('2026-10-30T02:00'), b('2026-10-31T23:00'), b('2026-11-01T01:00'), b('2026-11-02T01:00'), b('2026-09-15T02:00')],
      { daily: 0, weekly: 0, monthly: 2 },
      'UTC',
      [keep('2026-11-02T01:00', 'monthly 2026-11', 'newest', 'newest verified'), keep('2026-10-31T23:00', 'monthly 2026-10')],
      ids('2026-09-15T02:00', '2026-10-30T02:00', '2026-11-01T01:00'),
    ],
    [
      'UTC: 22:30Z and 23:30Z are the same day',
      [b('2026-11-20T23:30'), b('2026-11-21T22:30'), b('2026-11-21T23:30')],
      daily(2),
      'UTC',
      [keep('2026-11-21T23:30', 'daily 2026-11-21', 'newest', 'newest verified'), keep('2026-11-20T23:30', 'daily 2026-11-20')],
      ids('2026-11-21T22:30'),
    ],
    [
      'Europe/Prague: 23:30Z is already the next local day (00:30 CET)',
      [b('2026-11-20T23:30'), b('2026-11-21T22:30'), b('2026-11-21T23:30')],
      daily(2),
      'Europe/Prague',
      [keep('2026-11-21T23:30', 'daily 2026-11-22', 'newest', 'newest verified'), keep('2026-11-21T22:30', 'daily 2026-11-21')],
      ids('2026-11-20T23:30'),
    ],
    [
      'Europe/Prague: Sunday 23:30Z is Monday local, so a new ISO week and month',
      [b('2026-11-29T22:30'), b('2026-11-29T23:30')],
      { daily: 0, weekly: 2, monthly: 2 },
      'Europe/Prague',
      [
        keep('2026-11-29T23:30', 'weekly 2026-W49', 'monthly 2026-11', 'newest', 'newest verified'),
        keep('2026-11-29T22:30', 'weekly 2026-W48'),
      ],
      [],
    ],
    [
      'America/New_York: a 02:00Z backup falls on the previous local day',
      [b('2026-11-20T02:00'), b('2026-11-20T23:00'), b('2026-11-21T02:00')],
      daily(2),
      'America/New_York',
      [keep('2026-11-21T02:00', 'daily 2026-11-20', 'newest', 'newest verified'), keep('2026-11-20T02:00', 'daily 2026-11-19')],
      ids('2026-11-20T23:00'),
    ],
    [
      'all failed: only the newest survives, and it fills no slot',
      [b('2026-11-19T02:00', 'failed'), b('2026-11-20T02:00', 'failed'), b('2026-11-21T02:00', 'failed')],
      { daily: 7, weekly: 4, monthly: 12 },
      'UTC',
      [keep('2026-11-21T02:00', 'newest')],
      ids('2026-11-19T02:00', '2026-11-20T02:00'),
    ],
    [
      'a failed backup never fills a slot: the newest non-failed one of the day does',
      [b('2026-11-20T02:00'), b('2026-11-21T02:00'), b('2026-11-21T14:00', 'failed'), b('2026-11-21T20:00', 'failed')],
      daily(2),
      'UTC',
      [
        keep('2026-11-21T20:00', 'newest'),
        keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest verified'),
        keep('2026-11-20T02:00', 'daily 2026-11-20'),
      ],
      ids('2026-11-21T14:00'),
    ],
    [
      'a day with only failed backups does not count as a bucket',
      [b('2026-11-19T02:00'), b('2026-11-20T02:00'), b('2026-11-21T02:00', 'failed')],
      daily(2),
      'UTC',
      [keep('2026-11-21T02:00', 'newest'), keep('2026-11-20T02:00', 'daily 2026-11-20', 'newest verified'), keep('2026-11-19T02:00', 'daily 2026-11-19')],
      [],
    ],
    [
      'unverified backups fill slots; the newest verified one is kept besides',
      [b('2026-11-18T02:00'), b('2026-11-19T02:00', 'none'), b('2026-11-20T02:00', 'none'), b('2026-11-21T02:00', 'none')],
      daily(2),
      'UTC',
      [
        keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest'),
        keep('2026-11-20T02:00', 'daily 2026-11-20'),
        keep('2026-11-18T02:00', 'newest verified'),
      ],
      ids('2026-11-19T02:00'),
    ],
    [
      'running verify is never deleted, even outside every slot',
      [b('2026-11-01T02:00', 'running'), b('2026-11-02T02:00', 'failed'), b('2026-11-20T02:00'), b('2026-11-21T02:00', 'running')],
      daily(1),
      'UTC',
      [
        keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest', 'verify running'),
        keep('2026-11-20T02:00', 'newest verified'),
        keep('2026-11-01T02:00', 'verify running'),
      ],
      ids('2026-11-02T02:00'),
    ],
    [
      'policy 0/0/1 keeps the newest of the current month only',
      [b('2026-10-31T02:00'), b('2026-11-01T02:00'), b('2026-11-15T02:00'), b('2026-11-21T02:00')],
      { daily: 0, weekly: 0, monthly: 1 },
      'UTC',
      [keep('2026-11-21T02:00', 'monthly 2026-11', 'newest', 'newest verified')],
      ids('2026-10-31T02:00', '2026-11-01T02:00', '2026-11-15T02:00'),
    ],
    [
      'policy 0/0/1 with a failed newest: the month slot goes to the newest non-failed one',
      [b('2026-11-01T02:00'), b('2026-11-15T02:00', 'none'), b('2026-11-21T02:00', 'failed')],
      { daily: 0, weekly: 0, monthly: 1 },
      'UTC',
      [keep('2026-11-21T02:00', 'newest'), keep('2026-11-15T02:00', 'monthly 2026-11'), keep('2026-11-01T02:00', 'newest verified')],
      [],
    ],
    [
      'a day with a nightly and a later manual backup: the nightly fills the daily slot, the manual one is the newest',
      [b('2026-11-21T02:00'), m('2026-11-21T10:00')],
      { daily: 7, weekly: 4, monthly: 12 },
      'UTC',
      [keep('2026-11-21T10:00', 'newest', 'newest verified'), keep('2026-11-21T02:00', 'daily 2026-11-21', 'weekly 2026-W47', 'monthly 2026-11')],
      [],
    ],
    [
      'a manual backup never evicts a scheduled one: once a newer nightly exists it goes, the nightly of its day stays',
      [b('2026-11-20T02:00'), b('2026-11-21T02:00'), m('2026-11-21T10:00'), b('2026-11-22T02:00')],
      daily(2),
      'UTC',
      [keep('2026-11-22T02:00', 'daily 2026-11-22', 'newest', 'newest verified'), keep('2026-11-21T02:00', 'daily 2026-11-21')],
      ids('2026-11-20T02:00', '2026-11-21T10:00'),
    ],
    [
      'a day with only a manual backup: it takes the daily slot',
      [b('2026-11-20T02:00'), m('2026-11-21T10:00'), b('2026-11-22T02:00')],
      daily(2),
      'UTC',
      [keep('2026-11-22T02:00', 'daily 2026-11-22', 'newest', 'newest verified'), keep('2026-11-21T10:00', 'daily 2026-11-21')],
      ids('2026-11-20T02:00'),
    ],
    [
      'weekly and monthly slots go to the scheduled backup too',
      [b('2026-11-15T02:00'), m('2026-11-15T20:00')],
      { daily: 0, weekly: 1, monthly: 1 },
      'UTC',
      [keep('2026-11-15T20:00', 'newest', 'newest verified'), keep('2026-11-15T02:00', 'weekly 2026-W46', 'monthly 2026-11')],
      [],
    ],
    [
      'a manual backup that failed verify takes nothing; the scheduled one of its day keeps the slot',
      [b('2026-11-21T02:00'), m('2026-11-21T10:00', 'failed'), m('2026-11-21T12:00')],
      daily(1),
      'UTC',
      [keep('2026-11-21T12:00', 'newest', 'newest verified'), keep('2026-11-21T02:00', 'daily 2026-11-21')],
      ids('2026-11-21T10:00'),
    ],
    [
      'keepLast keeps the newest N whatever started them',
      [b('2026-11-19T02:00'), b('2026-11-20T02:00'), m('2026-11-20T10:00'), m('2026-11-20T12:00'), b('2026-11-21T02:00')],
      { daily: 1, weekly: 0, monthly: 0, keepLast: 3 },
      'UTC',
      [keep('2026-11-21T02:00', 'daily 2026-11-21', 'last', 'newest', 'newest verified'), keep('2026-11-20T12:00', 'last'), keep('2026-11-20T10:00', 'last')],
      ids('2026-11-19T02:00', '2026-11-20T02:00'),
    ],
    [
      'keepLast counts no backup that failed verify',
      [b('2026-11-20T02:00'), b('2026-11-21T02:00', 'failed'), b('2026-11-22T02:00', 'failed')],
      { daily: 0, weekly: 0, monthly: 0, keepLast: 1 },
      'UTC',
      [keep('2026-11-22T02:00', 'newest'), keep('2026-11-20T02:00', 'last', 'newest verified')],
      ids('2026-11-21T02:00'),
    ],
  ])('%s', (_name, backups, policy, timeZone, keep, deleted) => {
    expect(decideRetention(backups, policy, timeZone)).toEqual({ keep, delete: deleted });
  });

  it('keeps exactly 21 of a 400-day nightly history with 7/4/12', () => {
    const last = Date.UTC(2026, 10, 22, 2, 0); // Sunday 2026-11-22, the end of ISO week 47
    const history = Array.from({ length: 400 }, (_, i) => b(new Date(last - i * 86_400_000).toISOString().slice(0, 16)));

    const decision = decideRetention(history, { daily: 7, weekly: 4, monthly: 12 });

    // 7 days of W47 (which also fill weekly W47 and monthly 2026-11), the Sundays ending W46..W44,
    // and the last day of each month from October back to December 2025.
    const expected = [
      ...['22', '21', '20', '19', '18', '17', '16', '15', '08', '01'].map((d) => `2026-11-${d}`),
      ...['2026-10-31', '2026-09-30', '2026-08-31', '2026-07-31', '2026-06-30', '2026-05-31'],
      ...['2026-04-30', '2026-03-31', '2026-02-28', '2026-01-31', '2025-12-31'],
    ];
    expect(decision.keep.map((k) => k.id)).toEqual(expected.map((d) => `db-${d}T02:00`));
    expect(decision.delete).toHaveLength(400 - 21);
    expect(decision.delete[0]).toBe('db-2025-10-19T02:00');
    expect(decision.keep.find((k) => k.id === 'db-2026-11-01T02:00')?.reasons).toEqual(['weekly 2026-W44']);
  });

  it('rejects a finishedAt that is not a date, naming the backup', () => {
    expect(() => decideRetention([{ id: 'db-x', finishedAt: 'yesterday', verify: 'passed' }], daily(1))).toThrow(
      'backup db-x: finishedAt is not a date: "yesterday"',
    );
  });
});

/** A pre-deploy backup: manual, tagged, held until `until`. */
function t(finished: string, until: string, verify: Verify = 'passed'): RetentionCandidate {
  return { ...m(finished, verify), held: { tag: `pre-deploy-web-${finished.slice(8, 10)}`, until: `${until}:00Z` } };
}

describe('decideRetention: tagged backups', () => {
  const now = new Date('2026-11-21T12:00:00Z');
  it.each<[string, RetentionCandidate[], RetentionPolicy, Date | undefined, RetentionDecision['keep'], string[]]>([
    [
      'a hold that has not run out keeps a backup the policy would delete',
      [t('2026-11-19T10:00', '2026-11-26T10:00'), b('2026-11-20T02:00'), b('2026-11-21T02:00')],
      daily(1),
      now,
      [keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest', 'newest verified'), keep('2026-11-19T10:00', 'tagged pre-deploy-web-19')],
      ids('2026-11-20T02:00'),
    ],
    [
      'a hold that ran out keeps nothing: the policy decides alone',
      [t('2026-11-10T10:00', '2026-11-17T10:00'), b('2026-11-21T02:00')],
      daily(1),
      now,
      [keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest', 'newest verified')],
      ids('2026-11-10T10:00'),
    ],
    [
      'a tagged backup is manual: it never takes the slot of the scheduled backup of its day',
      [b('2026-11-21T02:00'), t('2026-11-21T10:00', '2026-11-28T10:00')],
      daily(1),
      now,
      [keep('2026-11-21T10:00', 'newest', 'newest verified', 'tagged pre-deploy-web-21'), keep('2026-11-21T02:00', 'daily 2026-11-21')],
      [],
    ],
    [
      'a hold ending exactly now has run out',
      [t('2026-11-14T12:00', '2026-11-21T12:00'), b('2026-11-21T02:00')],
      daily(1),
      now,
      [keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest', 'newest verified')],
      ids('2026-11-14T12:00'),
    ],
    [
      'without a clock every hold counts',
      [t('2026-11-10T10:00', '2026-11-17T10:00'), b('2026-11-21T02:00')],
      daily(1),
      undefined,
      [keep('2026-11-21T02:00', 'daily 2026-11-21', 'newest', 'newest verified'), keep('2026-11-10T10:00', 'tagged pre-deploy-web-10')],
      [],
    ],
  ])('%s', (_, backups, policy, at, kept, deleted) => {
    const decision = decideRetention(backups, policy, 'UTC', at);
    expect(decision.keep).toEqual(kept);
    expect(decision.delete).toEqual(deleted);
  });
});

describe('calendarBuckets', () => {
  it.each([
    ['2026-01-01T12:00:00Z', 'UTC', { day: '2026-01-01', week: '2026-W01', month: '2026-01' }],
    ['2027-01-01T12:00:00Z', 'UTC', { day: '2027-01-01', week: '2026-W53', month: '2027-01' }],
    ['2024-12-30T12:00:00Z', 'UTC', { day: '2024-12-30', week: '2025-W01', month: '2024-12' }],
    ['2026-03-29T00:30:00Z', 'Europe/Prague', { day: '2026-03-29', week: '2026-W13', month: '2026-03' }],
    ['2026-12-31T23:30:00Z', 'Europe/Prague', { day: '2027-01-01', week: '2026-W53', month: '2027-01' }],
  ])('%s in %s', (instant, timeZone, expected) => {
    expect(calendarBuckets(timeZone)(new Date(instant))).toEqual(expected);
  });
});
