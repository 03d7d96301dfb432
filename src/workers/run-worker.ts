import { NativeConnection } from '@temporalio/worker';
import type { OpsConfig } from '../config/load-config.js';
import type { ConnectionSettings } from '../temporal/connection-settings.js';
import type { WorkerRole } from '../temporal/names.js';
import { checkSearchAttributes } from '../temporal/search-attribute-check.js';
import { connectOrExplain } from '../temporal/temporal-unreachable.js';
import { createOpsWorker } from './create-worker.js';
import { startMetricsServer } from './metrics-server.js';
import { installQuietRuntime } from './quiet-runtime.js';
import { listenForStop } from './stop-signals.js';

/** After SIGINT/SIGTERM running activities get this long to finish before they are cancelled (Temporal retries them elsewhere). */
export const SHUTDOWN_GRACE_MS = 10_000;
/** ...and the process ends this long after the signal, whatever still runs. */
export const SHUTDOWN_LIMIT_MS = 20_000;

export interface RunWorkerOptions {
  config: OpsConfig;
  settings: ConnectionSettings;
  taskQueue: string;
  /** Which steps to take besides the workflow tasks (default all). */
  role?: WorkerRole;
  /** The port of /metrics (default metrics.port), or false to serve none. */
  metricsPort?: number | false;
  /** Aborting it stops the worker as SIGTERM would. */
  abortSignal?: AbortSignal;
  log?: (line: string) => void;
}

/**
 * Runs a worker (and its metrics endpoint) until SIGINT or SIGTERM, then drains and stops. The
 * metrics port is bound first, so a taken port fails at once, before anything else has started.
 */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stop = listenForStop({ graceMs: SHUTDOWN_GRACE_MS, forceExitAfterMs: SHUTDOWN_LIMIT_MS, log });
  options.abortSignal?.addEventListener('abort', () => stop.request('start-up failed'), { once: true });
  try {
    const port = options.metricsPort ?? options.config.metrics.port;
    const metrics = port === false ? undefined : await startMetricsServer(options.config, port);
    try {
      await pollUntilStopped(options, stop, log, metrics?.url);
    } finally {
      await metrics?.close();
    }
  } finally {
    stop.dispose();
  }
}

async function pollUntilStopped(options: RunWorkerOptions, stop: ReturnType<typeof listenForStop>, log: (line: string) => void, metricsUrl: string | undefined): Promise<void> {
  const { namespace, uiUrl, connectionOptions } = options.settings;
  installQuietRuntime();
  const connection = await connectOrExplain({ address: connectionOptions.address, namespace }, () => NativeConnection.connect(connectionOptions));
  try {
    await checkSearchAttributes(connection, namespace);
    // A signal during start-up ends the bundle build at once, so the stop fits in the grace.
    const startUp = new AbortController();
    stop.onStop(() => startUp.abort());
    const worker = await createOpsWorker({ config: options.config, connection, namespace, taskQueue: options.taskQueue, ...(options.role ? { role: options.role } : {}), ...(uiUrl ? { uiUrl } : {}), log, shutdownGraceTime: SHUTDOWN_GRACE_MS, startUpSignal: startUp.signal }).catch((err: unknown) => {
      if (startUp.signal.aborted) return undefined;
      throw err;
    });
    if (!worker) {
      log('stopped during start-up: the worker never polled');
      return;
    }
    // A worker that was created is run even when a signal came during start-up: run then shutdown
    // is the only way to release it, and its connection, so the process can end.
    const running = worker.run();
    if (!stop.requested) {
      const [, ...steps] = worker.taskQueues;
      log(`worker polling task queue "${options.taskQueue}" and ${steps.map((q) => `"${q}"`).join(', ')} (role ${options.role ?? 'all'}) on ${connectionOptions.address} (namespace ${namespace})`);
      if (metricsUrl) log(`metrics: ${metricsUrl}`);
    }
    stop.onStop(() => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    });
    await running;
  } finally {
    await connection.close();
  }
}
