import { describe, expect, it } from 'vitest';
import { formatReleaseLogLine, parseReleaseLog, previousRelease, releasesToPrune, rollbackTargetRefusal, type ReleaseLogEntry } from '../../src/core/release-log.js';

const sha = (c: string) => c.repeat(40);
const entry = (s: string, previous: string | null, event: ReleaseLogEntry['event'] = 'deployed'): ReleaseLogEntry => ({
  at: '2026-11-22T10:00:00Z', app: 'crm', stage: 'prod', sha: sha(s), previous: previous ? sha(previous) : null, event, by: 'ci', workflowId: 'deploy-crm',
});

describe('release log', () => {
  it('round-trips entries and skips a torn last line', () => {
    const text = formatReleaseLogLine(entry('a', null)) + formatReleaseLogLine(entry('b', 'a')) + '{"at":"2026-11-2';
    expect(parseReleaseLog(text)).toEqual([entry('a', null), entry('b', 'a')]);
  });

  it.each<[string, ReleaseLogEntry[], string | null, string | undefined]>([
    ['first deploy: nothing to go back to', [entry('a', null)], sha('a'), undefined],
    ['the release current replaced', [entry('a', null), entry('b', 'a')], sha('b'), sha('a')],
    ['after an automatic rollback, current is the restored release', [entry('a', null), entry('b', 'a'), entry('c', 'b', 'rolled-back')], sha('b'), sha('a')],
    ['after a manual rollback to a, going back means b', [entry('a', null), entry('b', 'a'), entry('a', 'b', 'manual-rollback')], sha('a'), sha('b')],
    ['no current link', [entry('a', null)], null, undefined],
  ])('previousRelease: %s', (_name, entries, current, expected) => {
    expect(previousRelease(entries, current)).toBe(expected);
  });

  it.each<[string, string[], ReleaseLogEntry[], string | null, number, string[]]>([
    ['keeps the newest N', ['a', 'b', 'c', 'd'].map(sha), [entry('a', null), entry('b', 'a'), entry('c', 'b'), entry('d', 'c')], sha('d'), 2, [sha('a'), sha('b')]],
    ['always keeps current and its rollback target', ['a', 'b', 'c'].map(sha), [entry('a', null), entry('b', 'a'), entry('c', 'b'), entry('a', 'c', 'manual-rollback')], sha('a'), 1, [sha('b')]],
    ['dirs the log never mentions go first', ['a', 'b', 'e'].map(sha), [entry('a', null), entry('b', 'a')], sha('b'), 2, [sha('e')]],
    ['nothing to prune', ['a'].map(sha), [entry('a', null)], sha('a'), 5, []],
    [
      'after a redeploy of b, the last healthy release before it is kept though newer dirs failed',
      ['a', 'b', 'c'].map(sha), [entry('a', null), entry('b', 'a'), entry('c', 'b', 'failed'), entry('b', 'b')], sha('b'), 1, [sha('c')],
    ],
  ])('releasesToPrune: %s', (_name, dirs, entries, current, keep, expected) => {
    expect(releasesToPrune(dirs, entries, current, keep)).toEqual(expected);
  });

  const NEVER = 'releases.log has no entry for it: it was never deployed here (its sync may have been cut short)';
  it.each<[string, ReleaseLogEntry[], string, string | null, string | undefined]>([
    ['a deployed release', [entry('a', null), entry('b', 'a')], 'a', sha('b'), undefined],
    ['a release made live by a manual rollback', [entry('a', null, 'failed'), entry('a', 'b', 'manual-rollback')], 'a', sha('b'), undefined],
    ['deployed once, failed a later redeploy: it ran whole before', [entry('a', null), entry('b', 'a'), entry('a', 'b', 'failed')], 'a', sha('b'), undefined],
    ['the release current names, even if the log missed it', [], 'a', sha('a'), undefined],
    ['a release an automatic rollback brought back healthy', [entry('b', 'a', 'rolled-back')], 'a', sha('b'), undefined],
    ['a dir the log never mentions (a sync cut short)', [entry('a', null)], 'b', sha('a'), NEVER],
    ['an empty log', [], 'a', null, NEVER],
    ['a release whose build failed', [entry('a', null), entry('b', null, 'failed')], 'b', sha('a'), 'releases.log records it only as failed, never as deployed'],
    [
      'a release that was rolled back, then failed to roll back',
      [entry('a', null), entry('b', 'a', 'rolled-back'), entry('b', 'a', 'rollback-failed'), entry('b', 'a', 'rolled-back')],
      'b',
      sha('a'),
      'releases.log records it only as rolled-back, rollback-failed, never as deployed',
    ],
    ['deployed to another stage only', [{ ...entry('b', null), stage: 'staging' }], 'b', sha('a'), NEVER],
    ['deployed by another app sharing the root', [{ ...entry('b', null), app: 'shop' }], 'b', sha('a'), NEVER],
  ])('rollbackTargetRefusal: %s', (_name, entries, target, current, expected) => {
    expect(rollbackTargetRefusal(entries, { app: 'crm', stage: 'prod', sha: sha(target) }, current)).toBe(expected);
  });
});
