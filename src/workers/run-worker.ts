import { NativeConnection } from '@temporalio/worker';
import type { OpsConfig } from '../config/load-config.js';
import type { ConnectionSettings } from '../temporal/connection-settings.js';
import { createOpsWorker } from './create-worker.js';
import { startMetricsServer } from './metrics-server.js';
import { installQuietRuntime } from './quiet-runtime.js';

export interface RunWorkerOptions {
  config: OpsConfig;
  settings: ConnectionSettings;
  taskQueue: string;
  metrics?: boolean;
  log?: (line: string) => void;
}

/** Runs a worker (and its metrics endpoint) until SIGINT or SIGTERM, then drains and stops. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  installQuietRuntime();
  const connection = await NativeConnection.connect(options.settings.connectionOptions);
  const { namespace, uiUrl } = options.settings;
  const worker = await createOpsWorker({ config: options.config, connection, namespace, taskQueue: options.taskQueue, ...(uiUrl ? { uiUrl } : {}), log });
  const metrics = options.metrics === false ? undefined : await startMetricsServer(options.config);
  log(`worker polling task queue "${options.taskQueue}" on ${options.settings.connectionOptions.address} (namespace ${options.settings.namespace})`);
  if (metrics) log(`metrics: ${metrics.url}`);
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await worker.run();
  } finally {
    await metrics?.close();
    await connection.close();
  }
}
