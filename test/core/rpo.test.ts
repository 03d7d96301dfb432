import { describe, expect, it } from 'vitest';
import { formatAge, rpoAgeMs, type RpoEntry } from '../../src/core/rpo.js';

const now = new Date('2026-11-22T05:12:00Z');
const HOUR = 3_600_000;

describe('rpoAgeMs', () => {
  it.each<[string, RpoEntry[], number | null]>([
    ['no backups', [], null],
    ['none verified', [{ finishedAt: '2026-11-22T02:00:00Z', verified: false }], null],
    ['one verified', [{ finishedAt: '2026-11-22T02:00:00Z', verified: true }], 3 * HOUR + 12 * 60_000],
    [
      'a newer unverified backup does not count',
      [
        { finishedAt: '2026-11-21T02:00:00Z', verified: true },
        { finishedAt: '2026-11-22T02:00:00Z', verified: false },
      ],
      27 * HOUR + 12 * 60_000,
    ],
    [
      'the newest verified wins regardless of order',
      [
        { finishedAt: '2026-11-22T02:00:00Z', verified: true },
        { finishedAt: '2026-11-20T02:00:00Z', verified: true },
      ],
      3 * HOUR + 12 * 60_000,
    ],
    ['offsets are honoured', [{ finishedAt: '2026-11-22T03:00:00+01:00', verified: true }], 3 * HOUR + 12 * 60_000],
    ['a backup from the future (clock skew) is age 0', [{ finishedAt: '2026-11-22T05:13:00Z', verified: true }], 0],
  ])('%s', (_name, entries, expected) => {
    expect(rpoAgeMs(entries, now)).toBe(expected);
  });

  it('rejects a finishedAt that is not a date', () => {
    expect(() => rpoAgeMs([{ finishedAt: 'soon', verified: true }], now)).toThrow('finishedAt is not a date: "soon"');
  });
});

describe('formatAge', () => {
  it.each([
    [45_000, '45s'],
    [3 * HOUR + 12 * 60_000 + 30_000, '3h 12m'],
    [52 * HOUR + 30 * 60_000, '2d 4h'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});
