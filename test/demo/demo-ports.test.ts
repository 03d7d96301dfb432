import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, type OnTestFinishedHandler } from 'vitest';
import { chooseDemoPorts, DEMO_PORT_VARS } from '../../src/demo/demo-ports.js';
import { freePort } from '../../src/local-servers/free-port.js';

const BOTH = { postgres: true, mariadb: true };
const root = mkdtempSync(join(tmpdir(), 'ops-demo-ports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The demo ports `ops up` chooses before the config loads: remembered, then the defaults, then free ones. */
describe('chooseDemoPorts', () => {
  it('takes the defaults when they are free and remembers them', async () => {
    const stateDir = tempStateDir();
    const defaults = { postgres: await freePort(), mariadb: await freePort() };
    expect(await chooseDemoPorts(stateDir, BOTH, {}, defaults)).toEqual({ OPS_DEMO_PG_PORT: String(defaults.postgres), OPS_DEMO_MY_PORT: String(defaults.mariadb) });
    expect(JSON.parse(readFileSync(join(stateDir, 'demo', 'ports.json'), 'utf8'))).toEqual(defaults);
  });

  it('takes other ports when the defaults are taken, and the same ones again on the next start', async ({ onTestFinished }) => {
    const stateDir = tempStateDir();
    const defaults = { postgres: await listening(onTestFinished), mariadb: await listening(onTestFinished) };
    const first = await chooseDemoPorts(stateDir, BOTH, {}, defaults);
    expect(Object.keys(first)).toEqual([DEMO_PORT_VARS.postgres, DEMO_PORT_VARS.mariadb]);
    expect(Number(first.OPS_DEMO_PG_PORT)).not.toBe(defaults.postgres);
    expect(Number(first.OPS_DEMO_MY_PORT)).not.toBe(defaults.mariadb);

    expect(await chooseDemoPorts(stateDir, BOTH, {}, defaults)).toEqual(first);
  });

  it('a remembered port that is taken now gives way to the default', async ({ onTestFinished }) => {
    const stateDir = tempStateDir();
    const taken = await listening(onTestFinished);
    mkdirSync(join(stateDir, 'demo'));
    writeFileSync(join(stateDir, 'demo', 'ports.json'), JSON.stringify({ postgres: taken }));
    const defaults = { postgres: await freePort(), mariadb: await freePort() };
    expect(await chooseDemoPorts(stateDir, { postgres: true, mariadb: false }, {}, defaults)).toEqual({ OPS_DEMO_PG_PORT: String(defaults.postgres) });
  });

  it.each([
    ['a set variable is left alone', BOTH, { OPS_DEMO_PG_PORT: '6000' }, [DEMO_PORT_VARS.mariadb]],
    ['a server not wanted gets no port', { postgres: true, mariadb: false }, {}, [DEMO_PORT_VARS.postgres]],
    ['nothing wanted, nothing chosen', { postgres: false, mariadb: false }, {}, []],
  ])('%s', async (_, wanted, env, expected) => {
    const defaults = { postgres: await freePort(), mariadb: await freePort() };
    expect(Object.keys(await chooseDemoPorts(tempStateDir(), wanted, env, defaults))).toEqual(expected);
  });

  it('a damaged ports file costs only the remembered ports', async () => {
    const stateDir = tempStateDir();
    mkdirSync(join(stateDir, 'demo'));
    writeFileSync(join(stateDir, 'demo', 'ports.json'), '{"postgres": 5');
    const defaults = { postgres: await freePort(), mariadb: await freePort() };
    expect(await chooseDemoPorts(stateDir, BOTH, {}, defaults)).toEqual({ OPS_DEMO_PG_PORT: String(defaults.postgres), OPS_DEMO_MY_PORT: String(defaults.mariadb) });
  });
});

function tempStateDir(): string {
  return mkdtempSync(join(root, 'state-'));
}

/** A port something is listening on for the rest of the test. */
async function listening(onTestFinished: (fn: OnTestFinishedHandler) => void): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}
