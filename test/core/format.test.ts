import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatLocalTime, formatRoughDuration } from '../../src/core/format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1.5 * 1024 ** 2, '1.5 MiB'],
    [1024 ** 2 - 1, '1 MiB'],
    [123.456 * 1024 ** 2, '123.5 MiB'],
    [12 * 1024 ** 3, '12 GiB'],
    [3.25 * 1024 ** 4, '3.3 TiB'],
    [2048 * 1024 ** 5, '2048 PiB'],
  ])('%d -> %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.42, '0.4s'],
    [9.5, '9.5s'],
    [9.96, '10s'],
    [45, '45s'],
    [59.6, '1m 00s'],
    [65, '1m 05s'],
    [600, '10m 00s'],
    [3600, '1h 00m 00s'],
    [7384, '2h 03m 04s'],
    [26 * 3600 + 5, '26h 00m 05s'],
  ])('%d s -> %s', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('formatRoughDuration', () => {
  it.each([
    [0, '0s'],
    [0.9, '0s'],
    [45, '45s'],
    [65, '1m 5s'],
    [3599, '59m 59s'],
    [3600, '1h'],
    [3 * 3600 + 12 * 60 + 59, '3h 12m'],
    [86_400, '1d'],
    [2 * 86_400 + 4 * 3600 + 59 * 60, '2d 4h'],
    [400 * 86_400 + 60, '400d'],
  ])('%d s -> %s', (seconds, expected) => {
    expect(formatRoughDuration(seconds)).toBe(expected);
  });
});

describe('formatLocalTime', () => {
  it.each([
    ['2026-12-07T02:04:05Z', 'Europe/Prague', '2026-12-07 03:04:05 +01:00'],
    ['2026-07-01T00:00:00Z', 'Europe/Prague', '2026-07-01 02:00:00 +02:00'],
    // Spring forward: 02:00 Prague time does not exist that night.
    ['2026-03-29T00:59:59Z', 'Europe/Prague', '2026-03-29 01:59:59 +01:00'],
    ['2026-03-29T01:00:00Z', 'Europe/Prague', '2026-03-29 03:00:00 +02:00'],
    // Fall back: 02:30 Prague time happens twice; the offset tells them apart.
    ['2026-10-25T00:30:00Z', 'Europe/Prague', '2026-10-25 02:30:00 +02:00'],
    ['2026-10-25T01:30:00Z', 'Europe/Prague', '2026-10-25 02:30:00 +01:00'],
    ['2026-03-31T22:30:00Z', 'Europe/Prague', '2026-04-01 00:30:00 +02:00'],
    ['2026-12-07T02:04:05.999Z', 'UTC', '2026-12-07 02:04:05 +00:00'],
    ['2026-07-01T00:00:00Z', 'UTC', '2026-07-01 00:00:00 +00:00'],
    ['2026-06-02T00:00:00Z', 'America/New_York', '2026-06-01 20:00:00 -04:00'],
    ['2026-06-01T12:00:00Z', 'Asia/Kathmandu', '2026-06-01 17:45:00 +05:45'],
    ['2026-06-01T12:00:00Z', 'America/St_Johns', '2026-06-01 09:30:00 -02:30'],
    ['2026-12-07T03:04:05+01:00', 'Europe/Prague', '2026-12-07 03:04:05 +01:00'],
  ])('%s in %s -> %s', (iso, zone, expected) => {
    expect(formatLocalTime(iso, zone)).toBe(expected);
    expect(formatLocalTime(new Date(iso), zone)).toBe(expected);
  });

  it('a recorded time that does not parse is shown as recorded', () => {
    expect(formatLocalTime('not a time', 'Europe/Prague')).toBe('not a time');
  });
});

describe('measurements must be finite and non-negative', () => {
  it.each([
    ['formatBytes', () => formatBytes(-1), 'bytes must be a finite number >= 0, got -1'],
    ['formatDuration', () => formatDuration(Number.NaN), 'seconds must be a finite number >= 0, got NaN'],
    ['formatRoughDuration', () => formatRoughDuration(Infinity), 'seconds must be a finite number >= 0, got Infinity'],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(new RangeError(message));
  });
});
