import { describe, expect, it } from 'vitest';
import type { OffsiteRecord } from '../../src/core/backup-record.js';
import { offsitePlaces, restorability, type BackupPlaces, type Restorability } from '../../src/core/restorability.js';

const places = (over: Partial<BackupPlaces>): BackupPlaces => ({ recorded: true, verify: 'passed', local: true, offsite: [], ...over });

describe('restorability', () => {
  it.each<[string, BackupPlaces, Restorability]>([
    ['verified and local', places({}), { restorable: true }],
    ['verified, local and offsite', places({ offsite: ['/srv/off'] }), { restorable: true }],
    ['verified, only offsite', places({ local: false, offsite: ['s3://b/p'] }), { restorable: true }],
    ['verified but no copy anywhere', places({ local: false }), { restorable: false, whyNot: 'no copy: artifact missing locally and no confirmed offsite copy' }],
    ['verify failed', places({ verify: 'failed', offsite: ['/srv/off'] }), { restorable: false, whyNot: 'verify failed' }],
    ['verify running', places({ verify: 'running' }), { restorable: false, whyNot: 'verify running' }],
    ['never verified', places({ verify: 'none' }), { restorable: false, whyNot: 'not verified' }],
    ['verify failed and no copy: both reasons', places({ verify: 'failed', local: false }), { restorable: false, whyNot: 'verify failed; no copy: artifact missing locally and no confirmed offsite copy' }],
    ['a copy only an offsite listing shows', places({ recorded: false, verify: 'none', local: false, offsite: ['/srv/off'] }), { restorable: false, whyNot: 'no verify record here (offsite only)' }],
  ])('%s', (_name, input, expected) => {
    expect(restorability(input)).toEqual(expected);
  });
});

describe('offsitePlaces', () => {
  const copied = { status: 'copied' as const, at: 't1', sha256Confirmed: 'abc' };
  it.each<[string, OffsiteRecord | undefined, string[], string[], string[]]>([
    ['no record, no listing', undefined, [], ['/srv/off'], []],
    ['confirmed copies, in config order', { status: 'copied', at: 't1', destination: 's3://b/p, /srv/off', copies: { 's3://b/p': copied, '/srv/off': copied } }, [], ['/srv/off', 's3://b/p'], ['/srv/off', 's3://b/p']],
    ['a failed copy is not a place', { status: 'failed', at: 't1', destination: '/srv/off, s3://b/p', copies: { '/srv/off': copied, 's3://b/p': { status: 'failed', at: 't1', reason: 'refused' } } }, [], ['/srv/off', 's3://b/p'], ['/srv/off']],
    ['a listed copy joins the recorded ones, once', { status: 'failed', at: 't1', destination: '/srv/off, s3://b/p', copies: { '/srv/off': copied } }, ['s3://b/p', '/srv/off'], ['/srv/off', 's3://b/p'], ['/srv/off', 's3://b/p']],
    ['a record from before copies names its one destination', { status: 'copied', at: 't1', destination: '/old' }, [], ['/srv/off'], ['/old']],
    ['a listing alone', undefined, ['/srv/off'], ['/srv/off'], ['/srv/off']],
  ])('%s', (_name, record, listed, configured, expected) => {
    expect(offsitePlaces(record, listed, configured)).toEqual(expected);
  });
});
