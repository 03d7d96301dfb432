import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../src/temporal/dev-server.js';
import type { Teardown } from './teardown.js';
import { childRunning } from './worker-readiness.js';

export const NAMESPACE = 'default';

export interface BenchTemporal {
  address: string;
  client: Client;
  /** The dev server's pid, for its CPU time. */
  pid: number;
  /** A task queue of the bench's own and the env an ops worker process needs to poll it. */
  taskQueue: string;
  workerEnv: Record<string, string>;
  /**
   * Runs a client call the teardown can cut short: closing the channel under a pending call makes
   * its retry timer throw, so teardown cancels and settles the call first.
   */
  abortable<T>(call: () => Promise<T>): Promise<T>;
}

/** A headless Temporal dev server and a client on it, both stopped by the teardown. */
export async function startBenchTemporal(teardown: Teardown, queuePrefix: string): Promise<BenchTemporal> {
  const dev = await startDevServer({ headless: true });
  teardown.defer('stop Temporal dev server', () => dev.stop());
  const pid = childRunning(`--port ${dev.address.split(':')[1]}`);
  const connection = await Connection.connect({ address: dev.address });
  const abort = new AbortController();
  let pending: Promise<unknown> = Promise.resolve();
  teardown.defer('close Temporal client', async () => {
    abort.abort();
    await pending.catch(() => undefined);
    await connection.close();
  });
  const taskQueue = `${queuePrefix}-${randomBytes(4).toString('hex')}`;
  return {
    address: dev.address,
    client: new Client({ connection, namespace: NAMESPACE }),
    pid,
    taskQueue,
    workerEnv: { TEMPORAL_ADDRESS: dev.address, TEMPORAL_NAMESPACE: NAMESPACE, OPS_TASK_QUEUE: taskQueue },
    abortable: (call) => {
      const running = connection.withAbortSignal(abort.signal, call);
      pending = running;
      return running;
    },
  };
}
