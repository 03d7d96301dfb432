import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';

const FILE = '/etc/ops/ops.config.yaml';
const VERIFY = `
backup:
  verify:
    postgres: { url: postgres://admin@scratch-pg }
`;

function configWith(database: string): string {
  return `databases:\n  - name: app\n    url: postgres://reader@127.0.0.1:5432/app\n${database}${VERIFY}`;
}

const problemsOf = (source: string): string[] => configProblems(() => parseConfig(source, FILE, {}));

describe('how a database target is reached', () => {
  it('via: an ssh address with user and port', () => {
    const config = parseConfig(configWith('    via: ssh://ops@gw.example:2222\n'), FILE, {});
    expect(config.databases[0]!.via).toStrictEqual({ user: 'ops', host: 'gw.example', port: 2222 });
    expect(config.databases[0]!.exec).toBeUndefined();
  });

  it('exec: host, project and service', () => {
    const config = parseConfig(configWith('    exec: { host: "ssh://deploy@app1", project: shop, service: db }\n'), FILE, {});
    expect(config.databases[0]!.exec).toStrictEqual({ host: { user: 'deploy', host: 'app1' }, project: 'shop', service: 'db' });
  });

  it.each<[string, string, string[]]>([
    ['via without ssh://', '    via: ops@gw\n', ['databases[0].via: expected ssh://[user@]host[:port], got "ops@gw"']],
    ['via with a path', '    via: ssh://gw/srv\n', ['databases[0].via: expected ssh://[user@]host[:port], got "ssh://gw/srv"']],
    ['via naming an option as host', '    via: ssh://-oProxyCommand=x\n', ['databases[0].via: "ssh://-oProxyCommand=x": a user or host starting with "-" would be read as an ssh option']],
    ['exec without a service', '    exec: { host: "ssh://app1", project: shop }\n', ['databases[0].exec.service: Invalid input: expected string, received undefined']],
    ['exec with a project compose refuses', '    exec: { host: "ssh://app1", project: Shop, service: db }\n', ['databases[0].exec.project: expected a compose project name: lower-case letters, digits, - or _']],
    ['exec with a service starting with -', '    exec: { host: "ssh://app1", project: shop, service: -T }\n', ['databases[0].exec.service: expected a compose service name: letters, digits, ., - or _']],
    ['exec with an unknown key', '    exec: { host: "ssh://app1", project: shop, service: db, user: root }\n', ['databases[0].exec: unknown key "user"']],
    ['both via and exec', '    via: ssh://gw\n    exec: { host: "ssh://app1", project: shop, service: db }\n', ['databases[0].exec: target "app" sets both via and exec; choose one']],
  ])('%s', (_, database, expected) => {
    expect(problemsOf(configWith(database))).toEqual(expected);
  });
});
