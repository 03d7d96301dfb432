import { describe, expect, it } from 'vitest';
import type { ReleaseLogEntry } from '../../src/core/release-log.js';
import type { ReleaseState } from '../../src/core/release-state.js';
import { lastHealthyRelease, resolveShaPrefix, rollbackTarget, shaPrefixProblem } from '../../src/core/rollback-target.js';

const sha = (c: string) => c.repeat(40);
const entry = (s: string, previous: string | null, event: ReleaseLogEntry['event'] = 'deployed', stage = 'prod'): ReleaseLogEntry => ({
  at: '2026-11-22T10:00:00Z', app: 'crm', stage, sha: sha(s), previous: previous ? sha(previous) : null, event, by: 'ci', workflowId: 'deploy-crm',
});

describe('lastHealthyRelease: where a stage goes back to', () => {
  it.each<[string, ReleaseLogEntry[], string | null, string[], string | undefined]>([
    ['the release current replaced', [entry('a', null), entry('b', 'a')], 'b', ['a', 'b'], 'a'],
    [
      'after "rollback failed: needs a human" (b never passed), the last release that did',
      [entry('a', null), entry('b', 'a', 'rollback-failed')],
      'b', ['a', 'b'], 'a',
    ],
    ['after a failed deploy whose log line was lost (sshd died): the log alone still names a', [entry('a', null)], 'b', ['a', 'b'], 'a'],
    ['an automatic rollback brought c back healthy: c is the newest healthy', [entry('a', null), entry('c', 'a'), entry('d', 'c', 'rolled-back')], 'd', ['a', 'c', 'd'], 'c'],
    ['after a manual rollback to a, going back means b', [entry('a', null), entry('b', 'a'), entry('a', 'b', 'manual-rollback')], 'a', ['a', 'b'], 'b'],
    ['a redeploy of b (excluded): the one before it', [entry('a', null), entry('b', 'a'), entry('b', 'b')], 'b', ['a', 'b'], 'a'],
    ['a healthy release whose dir was pruned is skipped', [entry('a', null), entry('c', 'a'), entry('b', 'c')], 'b', ['a', 'b'], 'a'],
    ['failed and rolled-back releases never count', [entry('a', null, 'failed'), entry('b', null, 'rollback-failed')], 'b', ['a', 'b'], undefined],
    ['first deploy: nothing', [entry('a', null)], 'a', ['a'], undefined],
  ])('%s', (_name, entries, exclude, dirs, expected) => {
    expect(lastHealthyRelease(entries, exclude ? sha(exclude) : null, dirs.map(sha))).toBe(expected ? sha(expected) : undefined);
  });
});

describe('SHA prefixes, as git resolves them', () => {
  const known = ['0123456789abcdef0123456789abcdef01234567', '0123456fffffffffffffffffffffffffffffffff', '89abcdef0123456789abcdef0123456789abcdef'];

  it.each<[string, string, { sha: string } | { problem: string }]>([
    ['the full SHA', known[2]!, { sha: known[2]! }],
    ['12 characters, as reports show', '0123456789ab', { sha: known[0]! }],
    ['7 characters, unique', '89abcde', { sha: known[2]! }],
    ['upper case', '89ABCDE', { sha: known[2]! }],
    ['ambiguous: names every candidate', '0123456', { problem: `0123456 is ambiguous on crm prod: it matches ${known[0]}, ${known[1]}; give more characters` }],
    ['unknown on the stage', 'fedcba9', { problem: 'no release of crm prod matches fedcba9' }],
    ['too short', '89abcd', { problem: '--to "89abcd" is too short: give at least 7 characters of the SHA' }],
    ['not hex', 'main', { problem: '--to "main" is not a commit SHA (hex digits only)' }],
  ])('%s', (_name, text, expected) => {
    expect(resolveShaPrefix(text, known, 'crm prod')).toEqual(expected);
  });

  it('the CLI refuses what can never name a release before asking a host', () => {
    expect([shaPrefixProblem('abc12'), shaPrefixProblem('abc1234'), shaPrefixProblem('f'.repeat(65))]).toEqual([
      '--to "abc12" is too short: give at least 7 characters of the SHA',
      undefined,
      `--to "${'f'.repeat(65)}" is longer than a SHA`,
    ]);
  });
});

describe('rollbackTarget: one look at the host decides', () => {
  const state = (current: string | null, dirs: string[], log: ReleaseLogEntry[]): ReleaseState => ({ current: current ? sha(current) : null, dirs: dirs.map(sha), log });

  it.each<[string, ReleaseState, string | undefined, { sha: string } | { problem: string }]>([
    ['default: the last healthy release', state('b', ['a', 'b'], [entry('a', null), entry('b', 'a', 'rollback-failed')]), undefined, { sha: sha('a') }],
    ['other stages sharing the log do not count', state('b', ['a', 'b'], [entry('a', null, 'deployed', 'staging')]), undefined, {
      problem: 'no earlier release of crm that was healthy on prod is still on its host; name one with --to',
    }],
    ['--to a prefix of a release dir', state('b', ['a', 'b'], [entry('b', null)]), 'aaaaaaa', { sha: sha('a') }],
    ['--to a prefix of a logged release whose dir is gone (the switch then says so)', state('b', ['b'], [entry('c', null), entry('b', 'c')]), 'ccccccccc', { sha: sha('c') }],
  ])('%s', (_name, host, to, expected) => {
    expect(rollbackTarget(host, { app: 'crm', stage: 'prod' }, to)).toEqual(expected);
  });
});
