import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redact, Secret } from '../../src/config/secret.js';

const VALUE = 'S3cr3t-Pa55';
const secret = new Secret(VALUE, 'env DB_PASSWORD');

describe('Secret never prints its value', () => {
  it.each<[string, (s: Secret) => unknown, unknown]>([
    ['String()', (s) => String(s), '[redacted]'],
    ['template literal', (s) => `password=${s}`, 'password=[redacted]'],
    ['string concatenation', (s) => 'password=' + s, 'password=[redacted]'],
    ['JSON.stringify', (s) => JSON.stringify(s), '"[redacted]"'],
    ['JSON.stringify nested', (s) => JSON.stringify({ db: { password: s } }), '{"db":{"password":"[redacted]"}}'],
    ['util.inspect', (s) => inspect(s), 'Secret(env DB_PASSWORD)'],
    ['util.inspect nested, showHidden', (s) => inspect({ password: s }, { showHidden: true, depth: Infinity }), '{ password: Secret(env DB_PASSWORD) }'],
    ['format %s', (s) => format('%s', s), '[redacted]'],
    ['format %o', (s) => format('%o', s), 'Secret(env DB_PASSWORD)'],
    ['format %j', (s) => format('%j', s), '"[redacted]"'],
    ['Error message', (s) => new Error(`login failed with ${s}`).message, 'login failed with [redacted]'],
    ['object spread', (s) => ({ ...s }), { source: 'env DB_PASSWORD' }],
    ['Object.values', (s) => Object.values(s), ['env DB_PASSWORD']],
    ['structuredClone', (s) => structuredClone(s), { source: 'env DB_PASSWORD' }],
  ])('%s', (_how, print, expected) => {
    expect(print(secret)).toStrictEqual(expected);
  });

  it('reveal() returns the value, and source says where it came from', () => {
    expect([secret.reveal(), secret.source]).toStrictEqual([VALUE, 'env DB_PASSWORD']);
  });
});

describe('redact', () => {
  it.each<[string, string, Array<Secret | undefined>, string]>([
    ['one occurrence', `psql: password ${VALUE} rejected`, [secret], 'psql: password [redacted] rejected'],
    ['every occurrence', `${VALUE}/${VALUE}`, [secret], '[redacted]/[redacted]'],
    ['several secrets', 'a=alpha-pw b=beta-pw', [new Secret('alpha-pw', 'a'), new Secret('beta-pw', 'b')], 'a=[redacted] b=[redacted]'],
    ['undefined entries are skipped', `x ${VALUE}`, [undefined, secret, undefined], 'x [redacted]'],
    ['no secrets: unchanged', `x ${VALUE}`, [], `x ${VALUE}`],
    ['no occurrence: unchanged', 'nothing to hide', [secret], 'nothing to hide'],
    ['regex characters are literal', 'pw=a.b*c+(d) and aXbbc', [new Secret('a.b*c+(d)', 'f')], 'pw=[redacted] and aXbbc'],
    ['a 3-character secret is redacted', 'pin abc', [new Secret('abc', 'f')], 'pin [redacted]'],
    ['a secret shorter than 3 characters is left alone (it would blank out ordinary text)', 'ab cab', [new Secret('ab', 'f')], 'ab cab'],
    ['an empty text', '', [secret], ''],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });
});
