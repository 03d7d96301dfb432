import { describe, expect, it } from 'vitest';
import { formatReleaseLogLine, type ReleaseLogEntry } from '../../src/core/release-log.js';
import { parseReleaseState, redundantAfterDeploy, shaOfLink, type ReleaseState } from '../../src/core/release-state.js';

const sha = (c: string) => c.repeat(40);
const SEP = '--- sep ---';
const entry = (s: string, previous: string | null, event: ReleaseLogEntry['event'] = 'deployed'): ReleaseLogEntry => ({
  at: '2026-11-22T10:00:00Z', app: 'crm', stage: 'prod', sha: sha(s), previous: previous ? sha(previous) : null, event, by: 'ci', workflowId: 'deploy-crm',
});

describe('release state', () => {
  it.each<[string, string, string | null]>([
    ['relative link', `releases/${sha('a')}\n`, sha('a')],
    ['trailing slash', `releases/${sha('a')}/`, sha('a')],
    ['absolute link', `/srv/crm/releases/${sha('b')}`, sha('b')],
    ['no link', '', null],
    ['blank line', '\n', null],
  ])('shaOfLink: %s', (_name, link, expected) => {
    expect(shaOfLink(link)).toBe(expected);
  });

  it('parses the three sections, keeping only sha-named dirs and whole log lines', () => {
    const output = `releases/${sha('b')}\n${SEP}\n${sha('a')}\n${sha('b')}\nnot-a-release\n${sha('c')}.partial\n${SEP}\n${formatReleaseLogLine(entry('a', null))}${formatReleaseLogLine(entry('b', 'a'))}{"torn`;
    expect(parseReleaseState(output, SEP)).toEqual({ current: sha('b'), dirs: [sha('a'), sha('b')], log: [entry('a', null), entry('b', 'a')] });
  });

  it('parses a first deploy: no link, no dirs, no log', () => {
    expect(parseReleaseState(`${SEP}\n${SEP}\n`, SEP)).toEqual({ current: null, dirs: [], log: [] });
  });

  it('refuses output without the sections', () => {
    expect(() => parseReleaseState('sh: 1: ls: not found\n', SEP)).toThrow('unexpected release state from the host (expected 3 sections, got 1)');
  });

  const state = (current: string | null, dirs: string[], log: ReleaseLogEntry[]): ReleaseState => ({ current: current ? sha(current) : null, dirs: dirs.map(sha), log });
  it.each<[string, ReleaseState, string, number, string[]]>([
    ['first deploy', state(null, [], []), 'a', 2, []],
    ['under the limit', state('a', ['a'], [entry('a', null)]), 'b', 2, []],
    ['the oldest goes once the new one counts', state('b', ['a', 'b'], [entry('a', null), entry('b', 'a')]), 'c', 2, [sha('a')]],
    ['after a manual rollback: the release it replaces stays, the ones rolled away from go', state('a', ['a', 'b', 'c'], [entry('a', null), entry('b', 'a'), entry('c', 'b'), entry('a', 'c', 'manual-rollback')]), 'd', 2, [sha('b'), sha('c')]],
    ['redeploying current keeps it and what is newest', state('b', ['a', 'b'], [entry('a', null), entry('b', 'a')]), 'b', 2, []],
    ['an unlogged dir (interrupted sync) goes first', state('b', ['a', 'b', 'e'], [entry('a', null), entry('b', 'a')]), 'c', 3, [sha('e')]],
  ])('redundantAfterDeploy: %s', (_name, before, next, keep, expected) => {
    expect(redundantAfterDeploy(before, sha(next), keep)).toEqual(expected);
  });
});
