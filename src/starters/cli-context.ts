import { Client, Connection } from '@temporalio/client';
import type { OpsConfig } from '../config/load-config.js';
import { connectionSettings, type ConnectionSettings } from '../temporal/connection-settings.js';
import { taskQueueFrom } from '../temporal/names.js';

export { configFileFrom, loadCliConfig, PROJECT_ROOT, type GlobalOptions } from './cli-config.js';

export interface TemporalSession {
  client: Client;
  settings: ConnectionSettings;
  taskQueue: string;
  close(): Promise<void>;
}

/** A client for the configured Temporal (env config), or for the dev server `ops up` started. */
export async function connectTemporal(config: OpsConfig): Promise<TemporalSession> {
  const settings = connectionSettings(process.env, config.stateDir);
  const connection = await Connection.connect(settings.connectionOptions as Parameters<typeof Connection.connect>[0]);
  return {
    client: new Client({ connection, namespace: settings.namespace }),
    settings,
    taskQueue: taskQueueFrom(process.env),
    close: () => connection.close(),
  };
}
