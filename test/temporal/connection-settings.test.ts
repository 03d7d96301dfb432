import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printStarted } from '../../src/starters/started-run.js';
import { connectionSettings, recordEmbeddedServer } from '../../src/temporal/connection-settings.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';

const API_KEY = `ops-api-key-${randomBytes(12).toString('hex')}`;

/**
 * Connection settings follow Temporal's environment configuration. The cert files hold random
 * bytes: the settings carry them as they are; only a real connect would parse them.
 */
describe('connectionSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ops-connection-'));
  const files = { cert: join(dir, 'client.pem'), key: join(dir, 'client.key'), ca: join(dir, 'ca.pem') };
  const bytes = { cert: randomBytes(64), key: randomBytes(48), ca: randomBytes(32) };
  for (const name of ['cert', 'key', 'ca'] as const) writeFileSync(files[name], bytes[name]);
  // Never the TOML profile of whoever runs the tests.
  const base = { TEMPORAL_CONFIG_FILE: join(dir, 'no-such-temporal.toml') };
  const tlsEnv = { TEMPORAL_TLS_CLIENT_CERT_PATH: files.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: files.key };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('TEMPORAL_API_KEY: the key in the connection options, TLS on, no UI link unless OPS_TEMPORAL_UI_URL', () => {
    const settings = connectionSettings({ ...base, TEMPORAL_ADDRESS: 'ops.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ops.acct', TEMPORAL_API_KEY: API_KEY });
    expect(settings).toEqual({ connectionOptions: { address: 'ops.acct.tmprl.cloud:7233', apiKey: API_KEY, tls: true }, namespace: 'ops.acct' });
  });

  it('TEMPORAL_TLS_CLIENT_CERT_PATH/KEY_PATH: the files\' bytes as the client pair; the CA and server name too', () => {
    const settings = connectionSettings({ ...base, ...tlsEnv, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: files.ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    expect(settings.connectionOptions.apiKey).toBeUndefined();
    expect(settings.connectionOptions.tls).toEqual({
      clientCertPair: { crt: new Uint8Array(bytes.cert), key: new Uint8Array(bytes.key) },
      serverRootCACertificate: new Uint8Array(bytes.ca),
      serverNameOverride: 'temporal.internal',
    });
  });

  it('both: the API key and the client pair together', () => {
    const { connectionOptions } = connectionSettings({ ...base, ...tlsEnv, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_API_KEY: API_KEY });
    expect(connectionOptions.apiKey).toBe(API_KEY);
    expect(connectionOptions.tls).toMatchObject({ clientCertPair: { crt: new Uint8Array(bytes.cert), key: new Uint8Array(bytes.key) } });
  });

  it('TEMPORAL_TLS=true: TLS with no client pair (the server is authenticated, the worker is not); false turns it off', () => {
    const tls = (value: string) => connectionSettings({ ...base, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: value }).connectionOptions.tls;
    expect(tls('true')).toStrictEqual({ serverNameOverride: undefined, serverRootCACertificate: undefined, clientCertPair: undefined });
    expect(tls('false')).toBe(false);
  });

  it.each([
    ['cloud-api-key', { address: 'us-east-1.aws.api.temporal.io:7233', apiKey: API_KEY, tls: true }],
    ['cloud-mtls', { address: 'ops.acct.tmprl.cloud:7233', tls: { clientCertPair: { crt: new Uint8Array(bytes.cert), key: new Uint8Array(bytes.key) } } }],
  ])('TEMPORAL_PROFILE=%s: Temporal Cloud from the TOML profile file, as the README shows it', (profile, connectionOptions) => {
    const toml = join(dir, 'temporal.toml');
    writeFileSync(toml, [
      '[profile.cloud-api-key]',
      'address = "us-east-1.aws.api.temporal.io:7233"',
      'namespace = "ops.acct"',
      `api_key = "${API_KEY}"`,
      '[profile.cloud-mtls]',
      'address = "ops.acct.tmprl.cloud:7233"',
      'namespace = "ops.acct"',
      '[profile.cloud-mtls.tls]',
      `client_cert_path = "${files.cert}"`,
      `client_key_path = "${files.key}"`,
    ].join('\n'));
    expect(connectionSettings({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: profile })).toEqual({ connectionOptions, namespace: 'ops.acct' });
    // The environment overrides the file, setting by setting.
    expect(connectionSettings({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: profile, TEMPORAL_NAMESPACE: 'ops-staging.acct' })).toEqual({ connectionOptions, namespace: 'ops-staging.acct' });
  });

  it('no address: the dev server `ops up` recorded, with its UI; an explicit address ignores the record', () => {
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir);
    recordEmbeddedServer(stateDir, { address: '127.0.0.1:7299', uiUrl: 'http://127.0.0.1:8299', pid: process.pid });
    expect(connectionSettings(base, stateDir)).toEqual({ connectionOptions: { address: '127.0.0.1:7299' }, namespace: 'default', uiUrl: 'http://127.0.0.1:8299' });
    expect(connectionSettings({ ...base, TEMPORAL_ADDRESS: 'temporal.internal:7233' }, stateDir)).toEqual({ connectionOptions: { address: 'temporal.internal:7233' }, namespace: 'default' });
    expect(connectionSettings({ ...base, TEMPORAL_ADDRESS: 'temporal.internal:7233', OPS_TEMPORAL_UI_URL: 'http://ui.internal' }, stateDir).uiUrl).toBe('http://ui.internal');
  });

  it('the API key is never printed: not in a run\'s link or hint, nor in what the CLI and the worker print when the connection fails (--verbose)', async () => {
    for (const uiUrl of [undefined, 'http://ui.internal']) {
      const settings = connectionSettings({ ...base, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_API_KEY: API_KEY, ...(uiUrl ? { OPS_TEMPORAL_UI_URL: uiUrl } : {}) });
      const lines: string[] = [];
      printStarted(settings, 'backup-20260101T000000Z-manual', 'run-1', (line) => lines.push(line));
      expect(lines.join('\n')).not.toContain(API_KEY);
    }

    const configFile = join(dir, 'ops.config.yaml');
    writeFileSync(configFile, [`stateDir: ${join(dir, 'cli-state')}`, `repository: ${join(dir, 'repo')}`, `reports: ${join(dir, 'reports')}`].join('\n'));
    // The random cert bytes are no PEM: both connects fail, after the key was handed over.
    const env = { ...base, ...tlsEnv, TEMPORAL_ADDRESS: testServers().temporalAddress, TEMPORAL_API_KEY: API_KEY };
    const [backup, worker] = await Promise.all([
      runCli(['--verbose', '--config', configFile, 'backup'], env),
      runCli(['--verbose', '--config', configFile, 'worker', '--no-metrics'], env),
    ]);
    // One line each, as every connect failure: exit 4, the address and the short cause.
    const cannotReach = `error: cannot reach Temporal at ${testServers().temporalAddress} (namespace default): `;
    expect([backup.exitCode, backup.stderr]).toEqual([4, expect.stringContaining(cannotReach)]);
    expect(backup.stderr).toMatch(/PEM routines.*; check TEMPORAL_ADDRESS/);
    expect([worker.exitCode, worker.stderr]).toEqual([4, expect.stringContaining(`${cannotReach}PrivateKeyParseError; check TEMPORAL_ADDRESS`)]);
    for (const printed of [backup.stdout, backup.stderr, worker.stdout, worker.stderr]) expect(printed).not.toContain(API_KEY);
  });
});
