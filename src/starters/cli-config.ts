import { dirname, resolve } from 'node:path';
import type { SecretMode } from '../config/interpolate.js';
import { chooseConfigFile, loadConfig, type OpsConfig } from '../config/load-config.js';

// Apart from cli-context.ts, which connects to Temporal: verbs that only read the config and local
// files import this and start without loading the Temporal client.

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
