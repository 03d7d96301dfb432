import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-servers/free-port.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';

/**
 * A wrong TEMPORAL_ADDRESS: every verb says in one line which address it could not reach, why,
 * and what to check, with exit code 4, within seconds (the SDK alone took 13 s and named nothing,
 * and the worker printed a raw tonic error).
 */
describe('Temporal unreachable', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'unreachable-'));
  const configFile = join(dir, 'ops.config.yaml');
  writeFileSync(configFile, [`stateDir: ${join(dir, 'state')}`, `repository: ${join(dir, 'repo')}`, 'files:', '  - name: docs', `    source: ${dir}`].join('\n'));
  // Never the TOML profile of whoever runs the tests.
  const base = { TEMPORAL_CONFIG_FILE: join(dir, 'no-such-temporal.toml'), OPS_TASK_QUEUE: 'unreachable' };

  const verbs: Array<[string, string[]]> = [
    ['backup', ['backup', '--wait']],
    ['worker', ['worker', '--no-metrics']],
    ['deploy status', ['deploy', 'status', 'shop']],
    // Checked before up starts anything; its metrics port is any free one, so it never collides.
    ['up', ['up', '--metrics-port', '0', '--no-first-backup']],
  ];

  it.each(verbs)('%s: a refused port', async (_name, args) => {
    const address = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const result = await runCli(['--config', configFile, ...args], { ...base, TEMPORAL_ADDRESS: address });
    expect(result.exitCode, result.stderr).toBe(4);
    expect(result.stderr.trimEnd()).toBe(`error: cannot reach Temporal at ${address} (namespace default): connection refused; check TEMPORAL_ADDRESS or start it with ops up`);
    expect(result.stdout).not.toContain('started');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it.each(verbs)('%s: a host that does not resolve, in another namespace', async (_name, args) => {
    const result = await runCli(['--config', configFile, ...args], { ...base, TEMPORAL_ADDRESS: 'temporal.nowhere.invalid:7233', TEMPORAL_NAMESPACE: 'ops-prod' });
    expect(result.exitCode, result.stderr).toBe(4);
    expect(result.stderr.trimEnd()).toBe('error: cannot reach Temporal at temporal.nowhere.invalid:7233 (namespace ops-prod): host temporal.nowhere.invalid not found; check TEMPORAL_ADDRESS or start it with ops up');
  });
});
