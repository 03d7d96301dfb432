import { Socket } from 'node:net';
import { OpsError } from '../core/errors.js';

/** Temporal did not answer: nothing was started, or a waited-for run's outcome is unknown. The world's fault. */
export class TemporalUnreachable extends OpsError {
  readonly retryable = true;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** How long the TCP probe and then the gRPC handshake may take before the address counts as unreachable. */
const PROBE_TIMEOUT_MS = 3_000;
export const CONNECT_TIMEOUT_MS = 5_000;

/** The one line every verb prints when it cannot connect, whatever the SDK said. */
export function cannotReach(target: TemporalTarget, cause: string): TemporalUnreachable {
  return new TemporalUnreachable(`cannot reach Temporal at ${target.address} (namespace ${target.namespace}): ${cause}; check TEMPORAL_ADDRESS or start it with ops up`);
}

/**
 * Opens and closes a TCP connection to the address. A refused port or an unknown host fails here
 * at once with a plain cause, where the SDKs would retry until their deadline and then print
 * "Failed to connect before the deadline" or a tonic error without the address.
 */
export async function probeAddress(target: TemporalTarget, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const endpoint = hostAndPort(target.address);
  // Schemes such as dns:/// or unix: are left to the SDK to resolve.
  if (!endpoint) return;
  await new Promise<void>((resolve, reject) => {
    const socket = new Socket();
    const fail = (cause: string) => {
      socket.destroy();
      reject(cannotReach(target, cause));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000}s`));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(socketCause(err, endpoint.host)));
    socket.connect(endpoint.port, endpoint.host, () => {
      socket.destroy();
      resolve();
    });
  });
}

/** host:port, [v6]:port or a bare host (Temporal's default port 7233), as the SDKs read an address. */
export function hostAndPort(address: string): { host: string; port: number } | undefined {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:/[\]]+)(?::(\d+))?$/.exec(address);
  if (!match) return undefined;
  return { host: match[1]!, port: match[2] ? Number(match[2]) : 7233 };
}

export function socketCause(err: NodeJS.ErrnoException, host: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${host} not found`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return err.code ?? err.message;
  }
}

/**
 * Connects with the SDK's `connect` after a TCP probe, bounded by CONNECT_TIMEOUT_MS; any failure
 * becomes the one-line TemporalUnreachable. A connect that used up its time says so rather than
 * the SDK's "Failed to connect before the deadline".
 */
export async function connectOrExplain<T>(target: TemporalTarget, connect: () => Promise<T>): Promise<T> {
  await probeAddress(target);
  const started = Date.now();
  try {
    return await connect();
  } catch (err) {
    const timedOut = Date.now() - started >= CONNECT_TIMEOUT_MS;
    throw cannotReach(target, timedOut ? `no answer within ${CONNECT_TIMEOUT_MS / 1000}s` : connectCause(err));
  }
}

/**
 * The short cause of an SDK connect failure: the innermost message, without the Rust core's
 * tonic wrapper (whose readable part is its `message: "..."`, or else the error it wraps), on one line.
 */
export function connectCause(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? ((current as { details?: string }).details ?? current.message) : String(current);
  const tonic = /message: "([^"]+)"/.exec(message) ?? /^tonic::transport::Error\(\w+, (.+)\)$/.exec(message);
  const line = (tonic ? tonic[1]! : message).split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
