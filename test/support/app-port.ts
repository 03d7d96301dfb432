import { freePort } from '../../src/local-servers/free-port.js';

/**
 * Below Linux's ephemeral range (32768–60999 by default), from which every outgoing connection of
 * the parallel tests (ssh, PostgreSQL, Temporal) takes its local port.
 */
const FIRST = 20000;
const LAST = 32000;

/**
 * A free port for a sample app that a deploy starts much later. A kernel-picked port would come
 * from the ephemeral range, where an outgoing connection of another test can take it in between
 * and the app fails with EADDRINUSE at `up`; a random port below that range is free of that race.
 */
export async function freeAppPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if ((await freePort(candidate)) === candidate) return candidate;
  }
  throw new Error(`no free port between ${FIRST} and ${LAST} after 50 tries`);
}
