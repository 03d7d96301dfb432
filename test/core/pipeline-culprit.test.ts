import { describe, expect, it } from 'vitest';
import { culpritStage } from '../../src/core/pipeline-culprit.js';

const ok = { failed: false };
const failed = { failed: true };
const brokenPipe = { failed: true, signal: 'SIGPIPE' };

describe('culpritStage: the failure a pipeline reports', () => {
  it.each([
    ['all succeeded', [ok, ok, ok], undefined],
    ['one failed', [ok, failed, ok], 1],
    ['two failed: the first in pipeline order', [failed, failed], 0],
    ['a later stage stopped reading and the one feeding it died of SIGPIPE', [brokenPipe, failed], 1],
    ['every failed stage died of SIGPIPE', [ok, brokenPipe, brokenPipe], 1],
    ['killed by another signal, it is the culprit', [{ failed: true, signal: 'SIGKILL' }, failed], 0],
  ])('%s', (_, results, expected) => {
    expect(culpritStage(results)).toBe(expected);
  });
});
