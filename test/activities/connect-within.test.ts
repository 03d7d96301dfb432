import { describe, expect, it } from 'vitest';
import { connectWithin, reconnectDelayMs } from '../../src/activities/databases/connect-within.js';
import { connectPostgres } from '../../src/activities/databases/postgres-client.js';
import type { DatabaseAddress } from '../../src/config/database-url.js';
import { Secret } from '../../src/config/secret.js';
import { PreconditionFailed, Unreachable } from '../../src/core/errors.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { testServers } from '../support/servers.js';

describe('reconnectDelayMs: doubling from a second, at most a minute', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [20, 60_000],
  ])('after try %i: %i ms', (tries, ms) => {
    expect(reconnectDelayMs(tries)).toBe(ms);
  });
});

describe('connectWithin on the real PostgreSQL', () => {
  const { postgres } = testServers();
  const admin = (port: number, database = 'postgres'): DatabaseAddress => ({ engine: 'postgres', user: postgres.adminUser, host: postgres.host, port, database });

  it('a closed port: retried until the window has passed, then Unreachable (not retryable) naming host:port', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await connectWithin(2_500, () => connectPostgres(admin(port), new Secret(postgres.adminPassword, 'test'))).catch((err: unknown) => err);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(Unreachable);
    expect((error as Unreachable).retryable).toBe(false);
    // Tries at 0 s, 1 s and 2.5 s (the last wait is cut to the window's end).
    expect((error as Error).message).toMatch(
      new RegExp(`^postgres://${postgres.adminUser}@127\\.0\\.0\\.1:${port}/postgres: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; still unreachable after 3 tries over 2\\.\\ds \\(backup\\.unreachableRetryMinutes\\)$`),
    );
    expect(elapsed).toBeGreaterThanOrEqual(2_500);
  });

  it('a wrong password fails at once, within the first try', async () => {
    const started = Date.now();
    const error = await connectWithin(60_000, () => connectPostgres(admin(postgres.port), new Secret('not-the-password', 'test'))).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect((error as Error).message).toContain('password authentication failed');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a window of 0 tries once', async () => {
    const port = await freePort();
    const error = await connectWithin(0, () => connectPostgres(admin(port), undefined)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Unreachable);
    expect((error as Error).message).toMatch(new RegExp(`connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(tried once\\)$`));
  });
});
