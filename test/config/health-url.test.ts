import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';
import { crmAppYaml } from '../support/crm-app-yaml.js';

const FILE = '/etc/ops/ops.config.yaml';
const withHealth = (health: string) => crmAppYaml([`{ name: staging, host: web1, baseUrl: https://staging.crm, health: ${health} }`]);

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
    expect(configProblems(() => parseConfig(withHealth(health), FILE, {}))).toEqual([expect.stringMatching(/^apps\[0\]\.stages\[0\]\.health\.url: /)]);
  });
});
