import { setTimeout as sleep } from 'node:timers/promises';
import type { SshSettings } from '../../commands/ssh.js';
import { TUNNEL_BIND_ADDRESS } from '../../commands/ssh-tunnel.js';
import { describeSshAddress } from '../../config/location.js';
import type { DatabaseTarget } from '../../config/target.js';
import { freePort } from '../../local-servers/free-port.js';
import { connectWithin } from './connect-within.js';
import { openTunnel } from './ssh-tunnel.js';

export interface ReachOptions {
  /** How long an unreachable ssh host is retried (backup.unreachableRetryMinutes); 0 tries once. */
  windowMs: number;
  cancelSignal?: AbortSignal;
}

/**
 * Runs `use` with the target as this worker reaches it. A target with `via` gets its url pointed at
 * an ssh local forward that lives exactly as long as `use`: everything `use` connects (the dump
 * tool, the privilege check, the row counts) goes through it, and it is torn down in finally.
 */
export async function reachDatabase<T>(target: DatabaseTarget, ssh: SshSettings, options: ReachOptions, use: (reached: DatabaseTarget) => Promise<T>): Promise<T> {
  const via = target.via;
  if (!via) return use(target);
  const tunnel = await connectWithin(options.windowMs, async () => openTunnel(ssh, via, target.url, await freePort(), options.cancelSignal), options.cancelSignal);
  try {
    return await use({ ...target, url: tunnel.address });
  } catch (err) {
    // Drivers and tools name the address they connected to, the tunnel's local end; the user knows the database by its own.
    if (err instanceof Error) {
      const local = `${TUNNEL_BIND_ADDRESS}:${tunnel.localPort}`;
      // ssh logs the failed channel as it resets the client's connection: its line may land a moment after the client's error.
      const failure = tunnel.channelFailure() ?? (await sleep(100).then(() => tunnel.channelFailure()));
      const why = failure ? `; ssh could not reach ${target.url.host}:${target.url.port}: ${failure}` : '';
      err.message = `${err.message.replaceAll(local, `${target.url.host}:${target.url.port}`)}${why} (through the ssh tunnel via ${describeSshAddress(via)})`;
    }
    throw err;
  } finally {
    await tunnel.close();
  }
}
