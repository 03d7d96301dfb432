import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { chooseMetricsPort } from '../../src/workers/metrics-port.js';

describe('chooseMetricsPort', () => {
  it.each<[string | undefined, Record<string, string>, number]>([
    [undefined, {}, 9464],
    [undefined, { OPS_METRICS_PORT: '9500' }, 9500],
    [undefined, { OPS_METRICS_PORT: '' }, 9464],
    ['9600', { OPS_METRICS_PORT: '9500' }, 9600],
    ['0', {}, 0],
  ])('flag %s, env %o → %i', (flag, env, expected) => {
    expect(chooseMetricsPort(flag, env, 9464)).toBe(expected);
  });

  it.each<[string | undefined, Record<string, string>, string]>([
    ['http', {}, '--metrics-port: expected a port number 0-65535, got "http"'],
    [undefined, { OPS_METRICS_PORT: '70000' }, 'OPS_METRICS_PORT: expected a port number 0-65535, got "70000"'],
    [undefined, { OPS_METRICS_PORT: '-1' }, 'OPS_METRICS_PORT: expected a port number 0-65535, got "-1"'],
  ])('flag %s, env %o: a config error', (flag, env, problem) => {
    expect(() => chooseMetricsPort(flag, env, 9464)).toThrow(new ConfigError([problem]));
  });
});
