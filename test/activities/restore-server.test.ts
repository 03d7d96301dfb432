import { describe, expect, it } from 'vitest';
import { restoreServerOf } from '../../src/activities/restore/restore-server.js';
import { findTarget } from '../../src/config/lookups.js';
import { parseConfig } from '../../src/config/load-config.js';
import { isDatabase, type DatabaseTarget } from '../../src/config/target.js';
import { PreconditionFailed } from '../../src/core/errors.js';

const CONFIG = `
databases:
  - { name: direct, url: "postgres://reader@10.0.0.5:5432/app" }
  - { name: tunnelled, url: "postgres://reader@10.0.0.5:5432/app", via: "ssh://ops@gw" }
  - { name: in-compose, url: "postgres://reader@localhost:5432/app", exec: { host: "ssh://deploy@app1", project: shop, service: db } }
backup:
  verify:
    postgres: { url: "postgres://admin@scratch" }
restore:
  servers:
    fresh: { url: "postgres://admin@10.0.0.9:5432" }
`;

const config = parseConfig(CONFIG, '/etc/ops/ops.config.yaml', {});
const target = (name: string) => {
  const found = findTarget(config, name);
  if (!isDatabase(found)) throw new Error('expected a database target');
  return found as DatabaseTarget;
};

describe('restoreServerOf: the server a restore goes onto', () => {
  it('a direct target: its own server, on the maintenance database', () => {
    expect(restoreServerOf(config, target('direct'), undefined).url).toStrictEqual({ engine: 'postgres', user: 'reader', host: '10.0.0.5', port: 5432, database: 'postgres' });
  });

  it.each([
    ['tunnelled', 'target "tunnelled" is reached through an ssh tunnel (via), which restore does not do: restore with --server NAME (restore.servers)'],
    ['in-compose', 'target "in-compose" is reached inside a compose service (exec), which restore does not do: restore with --server NAME (restore.servers)'],
  ])('%s: its url names the server as another host sees it, so its own server is refused', (name, message) => {
    expect(() => restoreServerOf(config, target(name), undefined)).toThrow(new PreconditionFailed(message));
  });

  it('with --server, a target reached over ssh restores onto the named server', () => {
    expect(restoreServerOf(config, target('tunnelled'), 'fresh').url).toStrictEqual({ engine: 'postgres', user: 'admin', host: '10.0.0.9', port: 5432, database: 'postgres' });
  });
});
