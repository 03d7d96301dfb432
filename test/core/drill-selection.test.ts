import { describe, expect, it } from 'vitest';
import type { BackupEntry, OffsiteRecord } from '../../src/core/backup-record.js';
import { compareRestoreDuration, pickBackupForDrill, type DrillPickOptions, type RestoreComparison } from '../../src/core/drill-selection.js';

const now = new Date('2026-11-22T12:00:00Z');

interface Opts {
  target?: string;
  /** partly: one destination copied, another failed */
  offsite?: 'copied' | 'failed' | 'partly' | 'none';
  verify?: 'passed' | 'failed' | 'running' | 'none';
}

function partlyCopied(at: string): OffsiteRecord {
  return {
    status: 'failed', at, destination: '/srv/offsite, s3://bucket', reason: 's3://bucket: refused',
    copies: { '/srv/offsite': { status: 'copied', at, sha256Confirmed: 'abc' }, 's3://bucket': { status: 'failed', at, reason: 'refused' } },
  };
}

/** A backup of crm-db named by its finish time ('11-22T02:00'), copied offsite and verified unless told otherwise. */
function b(finished: string, opts: Opts = {}): BackupEntry {
  const target = opts.target ?? 'crm-db';
  const finishedAt = finished.startsWith('2026') ? finished : `2026-${finished}:00Z`;
  const id = `${target}@${finished}`;
  const offsite = opts.offsite ?? 'copied';
  const verify = opts.verify ?? 'passed';
  return {
    id,
    target,
    stamp: finishedAt,
    dir: `/repo/${target}/${finishedAt}`,
    manifest: { formatVersion: 1, id, target, kind: 'postgres', artifact: 'dump.pgc', startedAt: finishedAt, finishedAt, bytes: 1, sha256: 'abc', toolVersions: {} },
    ...(offsite === 'none' ? {} : offsite === 'partly' ? { offsite: partlyCopied(finishedAt) } : { offsite: { status: offsite, at: finishedAt, destination: 's3://bucket' } }),
    ...(verify === 'none' ? {} : { verify: { status: verify, startedAt: finishedAt, restoredInto: 'v', reasons: [], rowCountDifferences: [] } }),
  };
}

/** A random() that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++]!;
}

function options(more: Partial<DrillPickOptions> = {}): DrillPickOptions {
  return { target: 'crm-db', pick: 'latest', windowDays: 7, now, random: sequence(0), timeZone: 'UTC', ...more };
}

function pick(entries: BackupEntry[], more: Partial<DrillPickOptions> = {}): string {
  const result = pickBackupForDrill(entries, options(more));
  return 'entry' in result ? result.entry.id : `none: ${result.none}`;
}

const three = [b('11-21T02:00'), b('11-22T02:00'), b('11-20T02:00')];

describe('pickBackupForDrill', () => {
  it.each<[string, BackupEntry[], Partial<DrillPickOptions>, string]>([
    ['latest is the newest whatever the order', three, {}, 'crm-db@11-22T02:00'],
    ['random 0 is the oldest', three, { pick: 'random', random: sequence(0) }, 'crm-db@11-20T02:00'],
    ['random just under 1/3 is still the oldest', three, { pick: 'random', random: sequence(0.333) }, 'crm-db@11-20T02:00'],
    ['random 1/3 is the middle one', three, { pick: 'random', random: sequence(1 / 3) }, 'crm-db@11-21T02:00'],
    ['random just under 1 is the newest', three, { pick: 'random', random: sequence(0.999999) }, 'crm-db@11-22T02:00'],
    ['random does not depend on listing order', [...three].reverse(), { pick: 'random', random: sequence(0) }, 'crm-db@11-20T02:00'],
    ['equal finish times: latest is the larger id', [b('11-22T02:00', { target: 'a' }), b('11-22T02:00', { target: 'b' })], { target: undefined }, 'b@11-22T02:00'],
    ['no target: every target qualifies', [b('11-21T02:00'), b('11-22T02:00', { target: 'shop-db' })], { target: undefined }, 'shop-db@11-22T02:00'],
    ['other targets are ignored', [b('11-21T02:00'), b('11-22T02:00', { target: 'shop-db' })], {}, 'crm-db@11-21T02:00'],
    ['a backup finished exactly windowDays ago qualifies', [b('11-15T12:00')], {}, 'crm-db@11-15T12:00'],
    ['a verify still running or not run yet qualifies', [b('11-21T02:00', { verify: 'running' }), b('11-22T02:00', { verify: 'none' })], { pick: 'random', random: sequence(0) }, 'crm-db@11-21T02:00'],
    ['failed verify and failed offsite copies are skipped', [b('11-20T02:00'), b('11-21T02:00', { offsite: 'failed' }), b('11-22T02:00', { verify: 'failed' })], {}, 'crm-db@11-20T02:00'],
    ['no backups at all', [], {}, 'none: no backups of crm-db at all'],
    ['no backups of any target', [], { target: undefined }, 'none: no backups at all'],
    ['only other targets', [b('11-22T02:00', { target: 'shop-db' })], {}, 'none: no backups of crm-db at all'],
    [
      'a millisecond too old',
      [b('2026-11-15T11:59:59.999Z'), b('11-10T02:00')],
      {},
      'none: no backups of crm-db in the last 7 days (newest finished 2026-11-15 11:59:59 +00:00)',
    ],
    ['one-day window', [b('11-20T02:00')], { windowDays: 1 }, 'none: no backups of crm-db in the last 1 day (newest finished 2026-11-20 02:00:00 +00:00)'],
    ['the newest time in the configured zone', [b('11-20T02:00')], { windowDays: 1, timeZone: 'Europe/Prague' }, 'none: no backups of crm-db in the last 1 day (newest finished 2026-11-20 03:00:00 +01:00)'],
    ['a copy at one destination is enough when another failed', [b('11-21T02:00', { offsite: 'partly' }), b('11-22T02:00', { offsite: 'failed' })], {}, 'crm-db@11-21T02:00'],
    ['none copied offsite', [b('11-21T02:00', { offsite: 'failed' }), b('11-22T02:00', { offsite: 'none' })], {}, 'none: no backups of crm-db in the last 7 days with an offsite copy'],
    ['copied ones all failed verify', [b('11-21T02:00', { verify: 'failed' }), b('11-22T02:00', { offsite: 'none' })], {}, 'none: every backup of crm-db in the last 7 days with an offsite copy failed verify'],
  ])('%s', (_name, entries, more, expected) => {
    expect(pick(entries, more)).toBe(expected);
  });

  it.each([1, -0.1, Number.NaN])('rejects random() returning %d', (value) => {
    expect(() => pick(three, { pick: 'random', random: () => value })).toThrow(`random() must return a number in [0, 1), got ${value}`);
  });

  it('latest does not call random()', () => {
    expect(pick(three, { random: () => { throw new Error('called'); } })).toBe('crm-db@11-22T02:00');
  });
});

describe('compareRestoreDuration', () => {
  it.each<[string, number, number[], RestoreComparison]>([
    ['no previous drills', 100, [], { medianPrevious: null, ratio: null, slower: false }],
    ['odd count: the middle value, unsorted input', 100, [300, 80, 100], { medianPrevious: 100, ratio: 1, slower: false }],
    ['even count: the mean of the middle two', 150, [80, 120, 100, 400], { medianPrevious: 110, ratio: 150 / 110, slower: false }],
    ['exactly 1.5x is not slower', 150, [100], { medianPrevious: 100, ratio: 1.5, slower: false }],
    ['just over 1.5x is slower', 150.5, [100], { medianPrevious: 100, ratio: 1.505, slower: true }],
    ['faster', 50, [100, 100], { medianPrevious: 100, ratio: 0.5, slower: false }],
    ['median 0: no ratio, any time is slower', 1, [0, 0, 5], { medianPrevious: 0, ratio: null, slower: true }],
    ['median 0 and current 0', 0, [0], { medianPrevious: 0, ratio: null, slower: false }],
  ])('%s', (_name, current, previous, expected) => {
    expect(compareRestoreDuration(current, previous)).toEqual(expected);
  });
});
