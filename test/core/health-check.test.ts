import { describe, expect, it } from 'vitest';
import { firstFailing, healthProblem, notHealthyMessage, notStableMessage, type HealthExpectation } from '../../src/core/health-check.js';

describe('healthProblem', () => {
  it.each<[string, { status: number; body: string }, HealthExpectation, string | undefined]>([
    ['expected status, no body rule', { status: 200, body: '' }, { expectStatus: 200 }, undefined],
    ['expected status, body matches', { status: 200, body: '{"status":"ok"}' }, { expectStatus: 200, bodyMatch: '"status":"ok"' }, undefined],
    ['expected status, body does not match', { status: 200, body: 'degraded' }, { expectStatus: 200, bodyMatch: '"status":"ok"' }, 'HTTP 200, body does not match /"status":"ok"/'],
    ['other status: the body is not looked at', { status: 500, body: '{"status":"ok"}' }, { expectStatus: 200, bodyMatch: '"status":"ok"' }, 'HTTP 500'],
    ['a configured non-200 status', { status: 204, body: '' }, { expectStatus: 204 }, undefined],
    ['200 when another status is expected', { status: 200, body: '' }, { expectStatus: 204 }, 'HTTP 200'],
  ])('%s', (_name, answer, expected, problem) => {
    expect(healthProblem(answer, expected)).toBe(problem);
  });
});

describe('firstFailing', () => {
  const a = 'http://app/health';
  const b = 'http://app/ready';
  it.each<[string, Array<{ url: string; problem: string | undefined }>, { url: string; problem: string } | undefined]>([
    ['every URL passed', [{ url: a, problem: undefined }, { url: b, problem: undefined }], undefined],
    ['the second fails', [{ url: a, problem: undefined }, { url: b, problem: 'HTTP 503' }], { url: b, problem: 'HTTP 503' }],
    ['both fail: the first in config order', [{ url: a, problem: 'HTTP 500' }, { url: b, problem: 'HTTP 503' }], { url: a, problem: 'HTTP 500' }],
  ])('%s', (_name, problems, failing) => {
    expect(firstFailing(problems)).toEqual(failing);
  });
});

describe('gate failure messages', () => {
  const failing = { url: 'http://app/ready', problem: 'HTTP 503' };
  it.each<[string, string, string]>([
    ['not healthy in time', notHealthyMessage(failing, 5), 'health gate: http://app/ready not healthy after 5s (last: HTTP 503)'],
    ['not stable', notStableMessage(failing, 6), 'health gate: http://app/ready not stable: unhealthy again within the 6s stability period (last: HTTP 503)'],
  ])('%s', (_name, message, expected) => {
    expect(message).toBe(expected);
  });
});
