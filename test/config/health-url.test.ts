import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';

const FILE = '/etc/ops/ops.config.yaml';
const withHealth = (health: string) => `
hosts:
  web1: { ssh: ssh://deploy@web1 }
apps:
  - name: crm
    repository: /srv/git/crm
    path: /srv/crm
    stages:
      - { name: staging, host: web1, baseUrl: https://staging.crm, health: ${health} }
`;

describe('health.url: one URL or a list, always a list after loading', () => {
  it.each<[string, string, string[]]>([
    ['a single URL (configs before lists stay valid)', '{ url: https://staging.crm/up }', ['https://staging.crm/up']],
    ['a list of one', '{ url: [https://staging.crm/up] }', ['https://staging.crm/up']],
    ['a list of two, in order', '{ url: [https://staging.crm/up, https://staging.crm/ready] }', ['https://staging.crm/up', 'https://staging.crm/ready']],
  ])('%s', (_name, health, urls) => {
    expect(parseConfig(withHealth(health), FILE, {}).apps[0]!.stages[0]!.health.url).toEqual(urls);
  });

  it.each<[string, string]>([
    ['an empty list', '{ url: [] }'],
    ['a number', '{ url: 3 }'],
  ])('rejected: %s', (_name, health) => {
    let problems: string[] = [];
    try {
      parseConfig(withHealth(health), FILE, {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^apps\[0\]\.stages\[0\]\.health\.url: /)]);
  });
});
