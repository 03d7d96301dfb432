import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';

const FILE = '/etc/ops/ops.config.yaml';

const problemsOf = (source: string, env: Record<string, string> = {}): string[] => configProblems(() => parseConfig(source, FILE, env));

describe('notify.webhooks', () => {
  it('parses url, events and the secret, which never prints', () => {
    const config = parseConfig('notify:\n  webhooks:\n    - { url: "https://ci.example.com/hooks/ops", events: [deploy.succeeded, backup.failed], secret: "${HOOK_SECRET}" }\n', FILE, { HOOK_SECRET: 'whsec-1' });
    const [hook] = config.notify.webhooks;
    expect(hook!.url).toBe('https://ci.example.com/hooks/ops');
    expect(hook!.events).toEqual(['deploy.succeeded', 'backup.failed']);
    expect(hook!.secret.reveal()).toBe('whsec-1');
    expect(JSON.stringify(config.notify)).not.toContain('whsec-1');
  });

  it('defaults to none', () => {
    expect(parseConfig('', FILE, {}).notify.webhooks).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['an unknown event', 'url: "https://x.example", events: [deploy.done], secret: "${S}"', 'notify.webhooks[0].events[0]'],
    ['no events', 'url: "https://x.example", events: [], secret: "${S}"', 'notify.webhooks[0].events'],
    ['a URL that is not http(s)', 'url: "ftp://x.example", events: [restore.done], secret: "${S}"', 'notify.webhooks[0].url: expected an http:// or https:// URL'],
    ['a literal secret', 'url: "https://x.example", events: [restore.done], secret: "plain"', 'notify.webhooks[0].secret'],
  ])('rejects %s, naming the path', (_name, entry, problem) => {
    const problems = problemsOf(`notify:\n  webhooks:\n    - { ${entry} }\n`, { S: 'x' });
    expect(problems.filter((p) => p.startsWith(problem))).toHaveLength(1);
  });
});
