import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { stageTarget } from '../../src/activities/deploy/stage-target.js';

const FILE = '/etc/ops/ops.config.yaml';
const withStage = (stage: string) => `
hosts:
  web1: { ssh: ssh://deploy@web1 }
  web2: { ssh: ssh://deploy@web2 }
  web3: { ssh: ssh://deploy@web3 }
apps:
  - name: shop
    repository: /srv/git/shop
    path: /srv/shop
    stages:
      - { name: staging, host: web1, baseUrl: https://staging.shop, health: { url: https://staging.shop/up } }
      - { name: prod, baseUrl: https://shop, health: { url: https://shop/up, timeoutSeconds: 60 }, env: { PORT: "8080", MODE: prod }, ${stage} }
`;

function problemsOf(source: string): string[] {
  try {
    parseConfig(source, FILE, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('stages[].hosts: several hosts per stage', () => {
  const config = parseConfig(
    withStage('hosts: [web1, { host: web2, path: /srv/shop-b, env: { PORT: "8082" }, health: { url: http://10.0.0.2:8082/up } }], rollout: { parallel: 2 }'),
    FILE,
    {},
  );

  it.each<[string, string | undefined, { hostName: string; root: string; env: Record<string, string>; url: string[]; timeoutSeconds: number }]>([
    ['a name: the stage\'s path, env and health', 'web1', { hostName: 'web1', root: '/srv/shop', env: { PORT: '8080', MODE: 'prod' }, url: ['https://shop/up'], timeoutSeconds: 60 }],
    ['an entry: its own path, env merged over the stage\'s, its own health URL with the stage\'s other settings', 'web2', { hostName: 'web2', root: '/srv/shop-b', env: { PORT: '8082', MODE: 'prod' }, url: ['http://10.0.0.2:8082/up'], timeoutSeconds: 60 }],
    ['no host named: the stage\'s first', undefined, { hostName: 'web1', root: '/srv/shop', env: { PORT: '8080', MODE: 'prod' }, url: ['https://shop/up'], timeoutSeconds: 60 }],
  ])('%s', (_name, host, expected) => {
    const target = stageTarget(config, 'shop', 'prod', host);
    expect({ hostName: target.hostName, root: target.root, env: target.env, url: target.health.url, timeoutSeconds: target.health.timeoutSeconds }).toEqual(expected);
  });

  it('rollout.parallel is read; a host: stage switches one at a time', () => {
    expect(config.apps[0]!.stages.map((s) => s.rollout.parallel)).toEqual([1, 2]);
  });

  it('a host the stage does not have: named with the stage and what it has', () => {
    expect(() => stageTarget(config, 'shop', 'prod', 'web3')).toThrow('unknown host "web3" of stage "prod" of app "shop" (configured: web1, web2)');
  });

  it.each<[string, string, string[]]>([
    ['both host and hosts', 'host: web1, hosts: [web2]', ['apps[0].stages[1]: stage "prod" of app "shop" needs exactly one of host or hosts, not both']],
    ['neither', 'path: /srv/x', ['apps[0].stages[1]: stage "prod" of app "shop" needs exactly one of host or hosts']],
    ['an unknown host', 'hosts: [web1, web9]', ['apps[0].stages[1].hosts[1].host: "web9" is not in hosts (configured: web1, web2, web3)']],
    ['an unknown host in an entry', 'hosts: [{ host: web8, path: /srv/b }]', ['apps[0].stages[1].hosts[0].host: "web8" is not in hosts (configured: web1, web2, web3)']],
    ['a host twice', 'hosts: [web1, web2, { host: web1, path: /srv/b }]', ['apps[0].stages[1].hosts[2].host: "web1" is already a host of stage "prod" at hosts[0]']],
    ['an empty list', 'hosts: []', [expect.stringMatching(/^apps\[0\]\.stages\[1\]\.hosts: /) as unknown as string]],
    ['an unknown key in an entry', 'hosts: [{ host: web1, port: 22 }]', ['apps[0].stages[1].hosts[0]: unknown key "port"']],
    ['an entry\'s health without a URL', 'hosts: [{ host: web1, health: { timeoutSeconds: 5 } }]', [expect.stringMatching(/^apps\[0\]\.stages\[1\]\.hosts\[0\]\.health\.url: /) as unknown as string]],
    ['parallel 0', 'hosts: [web1], rollout: { parallel: 0 }', [expect.stringMatching(/^apps\[0\]\.stages\[1\]\.rollout\.parallel: /) as unknown as string]],
  ])('rejected: %s', (_name, stage, problems) => {
    expect(problemsOf(withStage(stage))).toEqual(problems);
  });
});
