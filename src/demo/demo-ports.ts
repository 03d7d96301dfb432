import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { demoDir } from '../config/peek-config.js';
import { freePort } from '../local-servers/free-port.js';

/** The ports the demo servers prefer; the example config names them as the variables' defaults. */
export const DEMO_PORTS = { postgres: 55432, mariadb: 53306 } as const;

/** The variables the example config reads the demo ports from, e.g. ${OPS_DEMO_PG_PORT:-55432}. */
export const DEMO_PORT_VARS = { postgres: 'OPS_DEMO_PG_PORT', mariadb: 'OPS_DEMO_MY_PORT' } as const;

type DemoServer = keyof typeof DEMO_PORTS;

const PORTS_FILE = 'ports.json';

/**
 * The demo port variables to set for this `ops up`: for each wanted server whose variable is unset,
 * the port it had last time (kept in <stateDir>/demo/ports.json, next to its data dir) if that is
 * free, else the default if free, else any free port. A variable that is set is left alone.
 */
export async function chooseDemoPorts(
  stateDir: string,
  wanted: Record<DemoServer, boolean>,
  env: Record<string, string | undefined>,
  defaults: Record<DemoServer, number> = DEMO_PORTS,
): Promise<Record<string, string>> {
  const file = join(demoDir(stateDir), PORTS_FILE);
  const remembered = readRemembered(file);
  const chosen: Partial<Record<DemoServer, number>> = {};
  for (const server of Object.keys(DEMO_PORT_VARS) as DemoServer[]) {
    if (!wanted[server] || env[DEMO_PORT_VARS[server]]) continue;
    chosen[server] = await firstFree([remembered[server], defaults[server]]);
  }
  if (Object.keys(chosen).length === 0) return {};
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...remembered, ...chosen }, null, 2)}\n`);
  return Object.fromEntries(Object.entries(chosen).map(([server, port]) => [DEMO_PORT_VARS[server as DemoServer], String(port)]));
}

async function firstFree(preferred: Array<number | undefined>): Promise<number> {
  for (const port of preferred) {
    if (port !== undefined && (await freePort(port)) === port) return port;
  }
  return freePort();
}

function readRemembered(file: string): Partial<Record<DemoServer, number>> {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([server, port]) => server in DEMO_PORTS && Number.isInteger(port)));
  } catch (err) {
    // A damaged file only costs the remembered ports: the defaults (or free ones) are chosen again.
    if (err instanceof SyntaxError) return {};
    throw err;
  }
}
