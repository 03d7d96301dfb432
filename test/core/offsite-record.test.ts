import { describe, expect, it } from 'vitest';
import type { OffsiteCopy, OffsiteRecord } from '../../src/core/backup-record.js';
import { destinationsWithCopy, withOffsiteCopy } from '../../src/core/offsite-record.js';

const copied = (at: string, sha = 'abc'): OffsiteCopy => ({ status: 'copied', at, sha256Confirmed: sha, confirmedBy: 'read-back' });
const failed = (at: string, reason: string): OffsiteCopy => ({ status: 'failed', at, reason });

describe('withOffsiteCopy', () => {
  it.each<[string, OffsiteRecord | undefined, string, OffsiteCopy, string[], OffsiteRecord]>([
    [
      'the first of two destinations copied: failed until the other is',
      undefined, '/srv/off', copied('t1'), ['/srv/off', 's3://b/p'],
      { status: 'failed', at: 't1', destination: '/srv/off, s3://b/p', sha256Confirmed: 'abc', reason: 's3://b/p: not copied yet', copies: { '/srv/off': copied('t1') } },
    ],
    [
      'both copied: copied, no reason',
      { status: 'failed', at: 't1', destination: '/srv/off, s3://b/p', copies: { '/srv/off': copied('t1') } }, 's3://b/p', copied('t2'), ['/srv/off', 's3://b/p'],
      { status: 'copied', at: 't2', destination: '/srv/off, s3://b/p', sha256Confirmed: 'abc', copies: { '/srv/off': copied('t1'), 's3://b/p': copied('t2') } },
    ],
    [
      'one failed: its reason named, the other kept',
      { status: 'failed', at: 't1', destination: '/srv/off, s3://b/p', copies: { '/srv/off': copied('t1') } }, 's3://b/p', failed('t2', 'bucket b does not exist'), ['/srv/off', 's3://b/p'],
      { status: 'failed', at: 't2', destination: '/srv/off, s3://b/p', sha256Confirmed: 'abc', reason: 's3://b/p: bucket b does not exist', copies: { '/srv/off': copied('t1'), 's3://b/p': failed('t2', 'bucket b does not exist') } },
    ],
    [
      'a retry that succeeds replaces the failure',
      { status: 'failed', at: 't1', destination: 's3://b/p', reason: 's3://b/p: refused', copies: { 's3://b/p': failed('t1', 'refused') } }, 's3://b/p', copied('t2'), ['s3://b/p'],
      { status: 'copied', at: 't2', destination: 's3://b/p', sha256Confirmed: 'abc', copies: { 's3://b/p': copied('t2') } },
    ],
    [
      'a destination no longer configured is still recorded, and counted',
      undefined, '/old', failed('t1', 'gone'), ['/new'],
      { status: 'failed', at: 't1', destination: '/new, /old', reason: '/new: not copied yet; /old: gone', copies: { '/old': failed('t1', 'gone') } },
    ],
  ])('%s', (_name, previous, destination, copy, configured, expected) => {
    expect(withOffsiteCopy(previous, destination, copy, configured)).toStrictEqual(expected);
  });
});

describe('destinationsWithCopy', () => {
  it.each<[string, OffsiteRecord | undefined, string[], string[]]>([
    ['no record', undefined, ['/a'], []],
    ['a record from before several destinations, copied', { status: 'copied', at: 't', destination: 'ssh://h/srv' }, [], ['ssh://h/srv']],
    ['a record from before several destinations, failed', { status: 'failed', at: 't', destination: 'ssh://h/srv', reason: 'x' }, [], []],
    [
      'the copied ones, in config order, then any no longer configured',
      { status: 'failed', at: 't', destination: '', copies: { '/gone': copied('t'), 's3://b': copied('t'), '/a': copied('t'), '/bad': failed('t', 'x') } },
      ['/a', '/bad', 's3://b'],
      ['/a', 's3://b', '/gone'],
    ],
  ])('%s', (_name, record, order, expected) => {
    expect(destinationsWithCopy(record, order)).toStrictEqual(expected);
  });
});
