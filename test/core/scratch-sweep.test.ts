import { describe, expect, it } from 'vitest';
import { sweepDecision } from '../../src/core/scratch-sweep.js';

describe('sweepDecision', () => {
  const rule = { now: new Date('2026-11-22T09:00:00Z'), staleAfterHours: 6 };
  it.each<[string, boolean, 'drop' | 'keep']>([
    // Its lock is free: no live verify owns it, whatever its age.
    ['verify_app_6a832c_20261122t085959z', true, 'drop'],
    ['verify_app_6a832c_20261122t020000z', true, 'drop'],
    // A live verify holds it: kept while younger than dropStaleAfterHours...
    ['verify_app_6a832c_20261122t085959z', false, 'keep'],
    ['verify_app_6a832c_20261122t030000z', false, 'keep'],
    // ...and dropped past it: no verify runs that long, its holder is a host that vanished.
    ['verify_app_6a832c_20261122t025959z', false, 'drop'],
    ['verify_app_6a832c_20261121t090000z', false, 'drop'],
    // A restore's scratch database follows the same rule.
    ['restore_app_6a832c_20261122t085959z', true, 'drop'],
    ['restore_app_6a832c_20261122t085959z', false, 'keep'],
    // Not a name ops makes: someone else's database, never touched.
    ['verify_reports', true, 'keep'],
    ['verify_app_20261122T020000Z', true, 'keep'],
    ['verify_app_6a832c_20261122t020000z_copy', true, 'keep'],
    ['app_restored_20261122t020000z', true, 'keep'],
  ])('%s, lock free: %s -> %s', (name, lockFree, decision) => {
    expect(sweepDecision(name, lockFree, rule)).toBe(decision);
  });
});
