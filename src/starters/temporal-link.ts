import { setTimeout as sleep } from 'node:timers/promises';
import { isGrpcServiceError, type WorkflowHandle } from '@temporalio/client';
import { formatRoughDuration } from '../core/format.js';
import { ConfigError } from '../core/errors.js';
import type { ConnectionSettings } from '../temporal/connection-settings.js';
import { TemporalUnreachable } from '../temporal/temporal-unreachable.js';
import { runLocation } from './started-run.js';

const RECONNECT_LIMIT_VAR = 'OPS_WAIT_RECONNECT_SECONDS';
const DEFAULT_RECONNECT_LIMIT_MS = 5 * 60_000;
const PROBE_DEADLINE_MS = 3_000;
const MAX_BACKOFF_MS = 10_000;

/** gRPC codes that mean "no server there right now", not "the server said no" (grpc-js status enum). */
const CONNECTION_CODES = new Set([
  14, // UNAVAILABLE: refused, reset, GOAWAY of a server shutting down
  4, // DEADLINE_EXCEEDED: no answer in time
]);

/** A call failed because Temporal could not be reached: anywhere in the cause chain, a gRPC error with a connection code. */
export function isConnectionLoss(err: unknown): boolean {
  for (let current = err; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current) && CONNECTION_CODES.has(current.code)) return true;
  }
  return false;
}

/** How long `--wait` keeps trying to reconnect: OPS_WAIT_RECONNECT_SECONDS, 5 minutes by default. */
export function reconnectLimitFrom(env: Record<string, string | undefined>): number {
  const value = env[RECONNECT_LIMIT_VAR];
  if (value === undefined || value === '') return DEFAULT_RECONNECT_LIMIT_MS;
  const seconds = Number(value);
  if (!(seconds > 0)) throw new ConfigError([`${RECONNECT_LIMIT_VAR}: expected a number of seconds > 0, got "${value}"`]);
  return seconds * 1000;
}

interface TemporalLinkOptions {
  write: (line: string) => void;
  limitMs: number;
  /** For the Web UI link in the give-up message; without it the message names the temporal command. */
  settings?: Pick<ConnectionSettings, 'uiUrl' | 'namespace'>;
}

/**
 * The waiting CLI's hold on Temporal. After a connection loss, recover() probes the server with
 * backoff until it answers (saying once that it lost it and once that it is back), or gives up
 * after the limit with TemporalUnreachable naming the address, the run and where to look it up.
 * Concurrent callers share one recovery.
 */
export class TemporalLink {
  private recovery: Promise<void> | undefined;
  private failure: TemporalUnreachable | undefined;
  private readonly address: string;
  private readonly gaveUpSignal = new AbortController();

  constructor(private readonly handle: WorkflowHandle, private readonly options: TemporalLinkOptions) {
    const connection = handle.client.connection as { options?: { address?: string } };
    this.address = connection.options?.address ?? 'the configured address';
  }

  get recovering(): boolean {
    return this.recovery !== undefined;
  }

  /** Aborted once recovery gave up; its reason is the TemporalUnreachable to throw. */
  get gaveUp(): AbortSignal {
    return this.gaveUpSignal.signal;
  }

  recover(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.recovery ??= this.reconnect().finally(() => (this.recovery = undefined));
    return this.recovery;
  }

  private async reconnect(): Promise<void> {
    // A call can fail while the server is fine again a moment later: only a failed probe counts as lost.
    if (await this.reachable()) return;
    const lostAt = Date.now();
    this.options.write(`lost the connection to Temporal at ${this.address}; reconnecting…`);
    for (let attempt = 0; ; attempt++) {
      await sleep(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt));
      if (await this.reachable()) {
        this.options.write(`reconnected to Temporal at ${this.address} after ${formatRoughDuration((Date.now() - lostAt) / 1000)}`);
        return;
      }
      if (Date.now() - lostAt >= this.options.limitMs) {
        this.failure = this.outcomeUnknown(Date.now() - lostAt);
        this.gaveUpSignal.abort(this.failure);
        throw this.failure;
      }
    }
  }

  private async reachable(): Promise<boolean> {
    try {
      const { connection, workflowService } = this.handle.client;
      await connection.withDeadline(Date.now() + PROBE_DEADLINE_MS, () => workflowService.getSystemInfo({}));
      return true;
    } catch (err) {
      if (isConnectionLoss(err)) return false;
      throw err;
    }
  }

  private outcomeUnknown(lostForMs: number): TemporalUnreachable {
    const { workflowId } = this.handle;
    const namespace = this.handle.client.options.namespace;
    const where = runLocation({ namespace, ...this.options.settings }, workflowId);
    return new TemporalUnreachable(
      `Temporal at ${this.address} unreachable for ${formatRoughDuration(lostForMs / 1000)}: the outcome of ${workflowId} is unknown (it may still be running); look it up later: ${where}`,
    );
  }
}
