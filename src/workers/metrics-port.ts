import { ConfigError } from '../core/errors.js';

const METRICS_PORT_VAR = 'OPS_METRICS_PORT';

/** What the port-in-use message tells a user to change. */
export const METRICS_PORT_SETTINGS = `set metrics.port in the config, or ${METRICS_PORT_VAR} / --metrics-port`;

/** The metrics port: --metrics-port, then OPS_METRICS_PORT, then metrics.port from the config. */
export function chooseMetricsPort(flag: string | undefined, env: Record<string, string | undefined>, configured: number): number {
  if (flag !== undefined) return parsePort('--metrics-port', flag);
  const fromEnv = env[METRICS_PORT_VAR];
  if (fromEnv !== undefined && fromEnv !== '') return parsePort(METRICS_PORT_VAR, fromEnv);
  return configured;
}

function parsePort(source: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new ConfigError([`${source}: expected a port number 0-65535, got "${value}"`]);
  return port;
}
