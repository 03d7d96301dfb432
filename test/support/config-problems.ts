import { expect } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';

/** The problems a config load reports. `load` must fail with a ConfigError: succeeding, or failing otherwise, fails the test. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
