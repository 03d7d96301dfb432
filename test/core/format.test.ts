import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRoughDuration, formatZonedTime } from '../../src/core/format.js';

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

describe('formatZonedTime', () => {
  it.each([
    ['2025-06-02T00:00:00Z', 'Europe/Prague', '2025-06-02 02:00'],
    ['2025-01-01T01:00:00Z', 'Europe/Prague', '2025-01-01 02:00'],
    ['2025-03-31T22:30:00Z', 'Europe/Prague', '2025-04-01 00:30'],
    ['2025-06-01T23:05:00Z', 'UTC', '2025-06-01 23:05'],
    ['2025-06-02T00:00:00Z', 'America/New_York', '2025-06-01 20:00'],
  ])('%s in %s -> %s', (iso, zone, expected) => {
    expect(formatZonedTime(new Date(iso), zone)).toBe(expected);
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
