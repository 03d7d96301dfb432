import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSecret } from '../../src/config/interpolate.js';
import { redact, Secret, UnavailableSecret } from '../../src/config/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'ops-secrets-'));
writeFileSync(join(dir, 'token'), 'file-value\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveSecret with mode defer', () => {
  it.each<[string, string, Record<string, string>, { value: string } | { unavailable: string; source: string }]>([
    ['a set variable resolves as usual', '${DB_PASSWORD}', { DB_PASSWORD: 'pw-123' }, { value: 'pw-123' }],
    ['a readable file resolves as usual', 'file:token', {}, { value: 'file-value' }],
    ['an unset variable is deferred', '${DB_PASSWORD}', {}, { unavailable: 'secret from env DB_PASSWORD is not available to this process: environment variable DB_PASSWORD is not set', source: 'env DB_PASSWORD' }],
    ['an empty variable is deferred', '${DB_PASSWORD}', { DB_PASSWORD: '' }, { unavailable: 'secret from env DB_PASSWORD is not available to this process: environment variable DB_PASSWORD is not set', source: 'env DB_PASSWORD' }],
    ['a missing file is deferred', 'file:missing', {}, { unavailable: `secret from file missing is not available to this process: cannot read secret file ${join(dir, 'missing')}: ENOENT`, source: 'file missing' }],
  ])('%s', (_name, reference, env, expected) => {
    const secret = resolveSecret(reference, env, dir, 'defer');
    if ('value' in expected) {
      expect(secret).not.toBeInstanceOf(UnavailableSecret);
      expect(secret.reveal()).toBe(expected.value);
    } else {
      expect(secret).toBeInstanceOf(UnavailableSecret);
      expect(secret.source).toBe(expected.source);
      expect(() => secret.reveal()).toThrow(expected.unavailable);
    }
  });

  it('still refuses a literal value, which is a mistake in the file, not in the environment', () => {
    expect(() => resolveSecret('hunter2', {}, dir, 'defer')).toThrow('expected a secret reference ${ENV_VAR} or file:path, not a literal value');
  });

  it('require (the default) makes an unset variable an error', () => {
    expect(() => resolveSecret('${DB_PASSWORD}', {}, dir)).toThrow('environment variable DB_PASSWORD is not set');
  });

  it('an unavailable secret never prints and redact passes over it', () => {
    const unavailable = new UnavailableSecret('env DB_PASSWORD', 'environment variable DB_PASSWORD is not set');
    expect(`${unavailable}`).toBe('[redacted]');
    expect(redact('password pw-123', [unavailable, new Secret('pw-123', 'env X')])).toBe('password [redacted]');
  });
});
