import { dirname, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { SecretMode } from '../config/interpolate.js';
import { chooseConfigFile, loadConfig, type OpsConfig } from '../config/load-config.js';
import { connectionSettings, type ConnectionSettings } from '../temporal/connection-settings.js';
import { taskQueueFrom } from '../temporal/names.js';
import { CONNECT_TIMEOUT_MS, connectOrExplain } from '../temporal/temporal-unreachable.js';

export const PROJECT_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');

export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

export function configFileFrom(options: GlobalOptions): string {
  return chooseConfigFile(options.config, process.env, process.cwd(), PROJECT_ROOT);
}

/**
 * The config as a verb needs it. Most verbs only name targets, apps and stages and start runs that
 * the worker does with the real secrets, so by default a secret this process cannot read is
 * deferred, not an error: CI can run `ops deploy` with no database password in its environment.
 * The worker and `ops config check` require every secret.
 */
export function loadCliConfig(options: GlobalOptions, secrets: SecretMode = 'defer'): OpsConfig {
  return loadConfig(configFileFrom(options), process.env, secrets);
}

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
