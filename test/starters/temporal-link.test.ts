import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { isConnectionLoss, reconnectLimitFrom } from '../../src/starters/temporal-link.js';

const grpcError = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

describe('isConnectionLoss', () => {
  it.each<[string, unknown, boolean]>([
    ['UNAVAILABLE behind the SDK\'s "Failed to get Workflow execution history"', new ServiceError('Failed to get Workflow execution history', { cause: grpcError(14, 'No connection established') }), true],
    ['a bare DEADLINE_EXCEEDED', grpcError(4, 'Deadline exceeded'), true],
    ['NOT_FOUND: the server answered', new ServiceError('x', { cause: grpcError(5, 'workflow not found') }), false],
    ['PERMISSION_DENIED', grpcError(7, 'denied'), false],
    ['a plain error', new Error('boom'), false],
    ['not an error', 'boom', false],
  ])('%s → %s', (_what, err, expected) => {
    expect(isConnectionLoss(err)).toBe(expected);
  });
});

describe('reconnectLimitFrom', () => {
  it.each<[Record<string, string>, number]>([
    [{}, 300_000],
    [{ OPS_WAIT_RECONNECT_SECONDS: '' }, 300_000],
    [{ OPS_WAIT_RECONNECT_SECONDS: '4' }, 4_000],
    [{ OPS_WAIT_RECONNECT_SECONDS: '1.5' }, 1_500],
  ])('%o → %i ms', (env, expected) => {
    expect(reconnectLimitFrom(env)).toBe(expected);
  });

  it('a value that is no positive number is a config error', () => {
    expect(() => reconnectLimitFrom({ OPS_WAIT_RECONNECT_SECONDS: 'soon' })).toThrow(new ConfigError(['OPS_WAIT_RECONNECT_SECONDS: expected a number of seconds > 0, got "soon"']));
  });
});
