import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectPostgres } from '../../src/activities/databases/postgres-client.js';
import { openTunnel } from '../../src/activities/databases/ssh-tunnel.js';
import { reachDatabase } from '../../src/activities/databases/reach-database.js';
import type { DatabaseAddress } from '../../src/config/database-url.js';
import type { DatabaseTarget } from '../../src/config/target.js';
import { OpsError, PreconditionFailed, TransientFailure, Unreachable } from '../../src/core/errors.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { processesRunning } from '../support/processes.js';
import { testServers } from '../support/servers.js';

function settings() {
  const { sshd } = testServers();
  return {
    ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile, options: [] },
    via: { user: sshd.user, host: sshd.host, port: sshd.port },
  };
}

function postgresAdmin(): DatabaseAddress {
  const { postgres } = testServers();
  return { engine: 'postgres', user: postgres.adminUser, host: postgres.host, port: postgres.port, database: 'postgres' };
}

async function caught(run: Promise<unknown>): Promise<OpsError> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OpsError);
  return err as OpsError;
}

describe('openTunnel (real sshd, real PostgreSQL)', () => {
  it('forwards a loopback port to the database as the ssh host sees it, and close() leaves no ssh behind', async () => {
    const { ssh, via } = settings();
    const tunnel = await openTunnel(ssh, via, postgresAdmin(), await freePort());
    onTestFinished(() => tunnel.close());
    expect(tunnel.address).toStrictEqual({ ...postgresAdmin(), host: '127.0.0.1', port: tunnel.localPort });
    const marker = `127.0.0.1:${tunnel.localPort}:`;
    const [running, ...more] = await processesRunning('ssh', marker);
    expect(more).toEqual([]);
    expect(running!.ppid).toBe(process.pid);

    const client = new pg.Client({ host: '127.0.0.1', port: tunnel.localPort, user: postgresAdmin().user, password: testServers().postgres.adminPassword, database: 'postgres' });
    await client.connect();
    const answer = await client.query<{ port: string }>("SELECT current_setting('port') AS port");
    await client.end();
    expect(Number(answer.rows[0]!.port)).toBe(testServers().postgres.port);

    await tunnel.close();
    expect(await processesRunning('ssh', marker)).toEqual([]);
  });

  it('an ssh host nobody answers on: a retryable TransientFailure naming the via address', async () => {
    const { ssh, via } = settings();
    const port = await freePort();
    const err = await caught(openTunnel(ssh, { ...via, port }, postgresAdmin(), await freePort()));
    expect(err).toBeInstanceOf(TransientFailure);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(new RegExp(`^ssh tunnel via ssh://${via.user}@127\\.0\\.0\\.1:${port}: cannot reach 127\\.0\\.0\\.1:${port} \\(.*Connection refused.*\\)$`));
  });

  it('a login the ssh host refuses: a PreconditionFailed, not retried, with what ssh said', async () => {
    const { ssh, via } = settings();
    const err = await caught(openTunnel(ssh, { ...via, user: 'ops-no-such-user' }, postgresAdmin(), await freePort()));
    expect(err).toBeInstanceOf(PreconditionFailed);
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`ssh tunnel via ssh://ops-no-such-user@127.0.0.1:${via.port}: ops-no-such-user@127.0.0.1: Permission denied (publickey).`);
  });

  it('a local port another program took first: never taken for the tunnel, a retryable TransientFailure, and the impostor gets no connection', async () => {
    const { ssh, via } = settings();
    let connections = 0;
    const impostor = createServer(() => (connections += 1));
    await new Promise<void>((done) => impostor.listen(0, '127.0.0.1', done));
    onTestFinished(() => new Promise<void>((done) => impostor.close(() => done())));
    const taken = (impostor.address() as AddressInfo).port;
    const err = await caught(openTunnel(ssh, via, postgresAdmin(), taken));
    expect(err).toBeInstanceOf(TransientFailure);
    expect(err.message).toBe(`ssh tunnel via ssh://${via.user}@127.0.0.1:${via.port}: local port ${taken} was taken before ssh could listen on it`);
    expect(connections).toBe(0);
  });
});

describe('reachDatabase', () => {
  const target = (address: DatabaseAddress, via?: ReturnType<typeof settings>['via']): DatabaseTarget =>
    ({ kind: 'postgres', name: 'tunnelled', url: address, assertions: [], ...(via ? { via } : {}) }) as DatabaseTarget;

  it('an unreachable ssh host past the retry window: Unreachable, naming the via address', async () => {
    const { ssh, via } = settings();
    const port = await freePort();
    const err = await caught(reachDatabase(target(postgresAdmin(), { ...via, port }), ssh, { windowMs: 0 }, async () => 'never'));
    expect(err).toBeInstanceOf(Unreachable);
    expect(err.message).toContain(`ssh tunnel via ssh://${via.user}@127.0.0.1:${port}: cannot reach`);
  });

  it('a database the ssh host cannot reach: the error names the database address, not the tunnel port, and the tunnel is gone after', async () => {
    const { ssh, via } = settings();
    const dbPort = await freePort();
    const gone = { ...postgresAdmin(), port: dbPort };
    let localPort = 0;
    const err = await caught(
      reachDatabase(target(gone, via), ssh, { windowMs: 0 }, async (reached) => {
        localPort = reached.url.port;
        return connectPostgres(reached.url, undefined);
      }),
    );
    expect(err).toBeInstanceOf(TransientFailure);
    expect(err.message).toContain(`postgres://${gone.user}@127.0.0.1:${dbPort}/postgres: `);
    // What the client saw (a reset) says little: ssh's own reason is given with it.
    expect(err.message).toContain(`; ssh could not reach 127.0.0.1:${dbPort}: connect failed: Connection refused`);
    expect(err.message).not.toContain(String(localPort));
    expect(err.message).toMatch(new RegExp(`\\(through the ssh tunnel via ssh://${via.user}@127\\.0\\.0\\.1:${via.port}\\)$`));
    expect(await processesRunning('ssh', `127.0.0.1:${localPort}:`)).toEqual([]);
  });
});
