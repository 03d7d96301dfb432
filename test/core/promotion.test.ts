import { describe, expect, it } from 'vitest';
import { promotionRefusal, stagesToCheck } from '../../src/core/promotion.js';
import type { ReleaseLogEntry } from '../../src/core/release-log.js';

describe('stagesToCheck: the earlier stages a run skips', () => {
  it.each<[string, string[], string[], string[]]>([
    ['the default plan deploys every stage in order', ['staging', 'prod'], ['staging', 'prod'], []],
    ['--stages prod skips staging', ['staging', 'prod'], ['prod'], ['staging']],
    ['--stages staging needs nothing', ['staging', 'prod'], ['staging'], []],
    ['prod before staging in the run: staging has not passed yet', ['staging', 'prod'], ['prod', 'staging'], ['staging']],
    ['three stages, only the last', ['dev', 'staging', 'prod'], ['prod'], ['dev', 'staging']],
    ['three stages, dev skipped', ['dev', 'staging', 'prod'], ['staging', 'prod'], ['dev']],
  ])('%s', (_name, order, plan, expected) => {
    expect(stagesToCheck(order, plan)).toEqual(expected);
  });
});

describe('promotionRefusal: did the SHA pass the stage?', () => {
  const sha = (c: string) => c.repeat(40);
  const at = (minute: number) => `2026-11-22T10:${String(minute).padStart(2, '0')}:00Z`;
  const e = (minute: number, s: string, previous: string | null, event: ReleaseLogEntry['event']) => ({ at: at(minute), sha: sha(s), previous: previous ? sha(previous) : null, event });

  it.each<[string, ReturnType<typeof e>[], string | undefined]>([
    ['deployed there', [e(1, 'a', null, 'deployed')], undefined],
    ['deployed, then another release replaced it: still passed', [e(1, 'a', null, 'deployed'), e(2, 'c', 'a', 'deployed')], undefined],
    ['never deployed there', [e(1, 'c', null, 'deployed')], 'aaaaaaaaaaaa was never deployed to staging'],
    ['its deploy was rolled back automatically', [e(1, 'c', null, 'deployed'), e(2, 'a', 'c', 'rolled-back')], `aaaaaaaaaaaa is last recorded on staging as rolled-back at ${at(2)}`],
    ['deployed, then a redeploy failed its build', [e(1, 'a', null, 'deployed'), e(2, 'a', 'a', 'failed')], `aaaaaaaaaaaa is last recorded on staging as failed at ${at(2)}`],
    ['deployed, then rolled back by hand', [e(1, 'c', null, 'deployed'), e(2, 'a', 'c', 'deployed'), e(3, 'c', 'a', 'manual-rollback')], `aaaaaaaaaaaa was rolled back on staging at ${at(3)}`],
    ['rolled back away from, then back to by hand: the deploy still passed', [e(1, 'a', null, 'deployed'), e(2, 'c', 'a', 'manual-rollback'), e(3, 'a', 'c', 'manual-rollback')], undefined],
    ['only ever live by a manual rollback', [e(1, 'a', 'c', 'manual-rollback')], 'aaaaaaaaaaaa was never deployed to staging'],
  ])('%s', (_name, entries, expected) => {
    expect(promotionRefusal(entries, 'staging', sha('a'))).toBe(expected);
  });
});
