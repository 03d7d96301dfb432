import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { runLinkOf } from './run-link.js';

export interface ConnectionSettings {
  connectionOptions: NativeConnectionOptions & { address: string };
  namespace: string;
  /** Base URL of the Temporal Web UI, for links to runs. */
  uiUrl?: string;
}

/** What `ops up` records about the embedded dev server, so other `ops` commands find it. */
export interface EmbeddedServerRecord {
  address: string;
  uiUrl?: string;
  pid: number;
}

const RECORD_FILE = 'temporal-dev-server.json';

/** The base URL of the Temporal Web UI, for run links, when ops did not start the dev server itself. */
export const UI_URL_VAR = 'OPS_TEMPORAL_UI_URL';

/**
 * Connection settings follow Temporal's environment configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the TOML file). With no address configured,
 * ops talks to the dev server that `ops up` started, as recorded in the state dir.
 */
export function connectionSettings(env: Record<string, string | undefined>, stateDir?: string): ConnectionSettings {
  const loaded = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  const embedded = stateDir ? readEmbeddedServer(stateDir) : undefined;
  const address = loaded.connectionOptions.address ?? embedded?.address ?? '127.0.0.1:7233';
  const uiUrl = env[UI_URL_VAR] ?? (loaded.connectionOptions.address ? undefined : embedded?.uiUrl);
  return {
    connectionOptions: { ...loaded.connectionOptions, address },
    namespace: loaded.namespace ?? 'default',
    ...(uiUrl ? { uiUrl } : {}),
  };
}

export function hasExplicitAddress(env: Record<string, string | undefined>): boolean {
  return Boolean(loadClientConnectConfig({ overrideEnvVars: definedOnly(env) }).connectionOptions.address);
}

export function recordEmbeddedServer(stateDir: string, record: EmbeddedServerRecord): void {
  writeFileSync(join(stateDir, RECORD_FILE), JSON.stringify(record, null, 2));
}

function readEmbeddedServer(stateDir: string): EmbeddedServerRecord | undefined {
  const file = join(stateDir, RECORD_FILE);
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as EmbeddedServerRecord;
  return isAlive(record.pid) ? record : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function runUrl(settings: Pick<ConnectionSettings, 'uiUrl' | 'namespace'>, workflowId: string, runId?: string): string | undefined {
  if (!settings.uiUrl) return undefined;
  const base = `${settings.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? runLinkOf(base, runId) : base;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
