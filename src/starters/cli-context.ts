import { Client, Connection } from '@temporalio/client';
import type { OpsConfig } from '../config/load-config.js';
import { connectionSettings, type ConnectionSettings } from '../temporal/connection-settings.js';
import { taskQueueFrom } from '../temporal/names.js';
import { CONNECT_TIMEOUT_MS, connectOrExplain } from '../temporal/temporal-unreachable.js';

export { configFileFrom, loadCliConfig, PROJECT_ROOT, type GlobalOptions } from './cli-config.js';

export interface TemporalSession {
  client: Client;
  settings: ConnectionSettings;
  taskQueue: string;
  close(): Promise<void>;
}

/**
 * A client for the configured Temporal (env config), or for the dev server `ops up` started.
 * Not reaching it is one TemporalUnreachable line naming the address, within a few seconds.
 */
export async function connectTemporal(config: OpsConfig): Promise<TemporalSession> {
  const settings = connectionSettings(process.env, config.stateDir);
  const target = { address: settings.connectionOptions.address, namespace: settings.namespace };
  const connection = await connectOrExplain(target, () =>
    Connection.connect({
      ...(settings.connectionOptions as Parameters<typeof Connection.connect>[0]),
      connectTimeout: CONNECT_TIMEOUT_MS,
      // grpc-js backs off up to 2 minutes between reconnects; after a Temporal restart a --wait
      // should be back within seconds.
      channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 },
    }),
  );
  return {
    client: new Client({ connection, namespace: settings.namespace }),
    settings,
    taskQueue: taskQueueFrom(process.env),
    close: () => connection.close(),
  };
}
