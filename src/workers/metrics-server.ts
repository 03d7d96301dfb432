import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { healthLimits, readHealthRecords } from '../activities/backup/evaluate-backup-health.js';
import { readDeployRecords } from '../records/deploy-records.js';
import { WEBHOOK_FAILURES_FILE } from '../activities/notify/send-webhooks.js';
import { readTextIfExists } from '../records/if-exists.js';
import { RestoreLog } from '../records/restore-log.js';
import type { OpsConfig } from '../config/load-config.js';
import { backupMetrics } from '../core/backup-metrics.js';
import { deployMetrics } from '../core/deploy-metrics.js';
import { countWebhookFailures, parseWebhookFailures } from '../core/webhook-failures.js';
import { createMetricsRegistry, type OpsFigures } from './metrics-registry.js';
import { METRICS_PORT_SETTINGS } from './metrics-port.js';
import { PortInUse } from './port-in-use.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves /metrics; every value is computed at scrape time from the backup repository, its run
 * history, drill and restore logs, and the deploy log, so it survives restarts and needs no state of its
 * own. Health is judged from the same records (readHealthRecords) against the configured limits,
 * as by `ops status` and the watchdog, so the three agree.
 */
export async function startMetricsServer(config: OpsConfig, port = config.metrics.port): Promise<MetricsServer> {
  const read = async (): Promise<OpsFigures> => {
    const [records, deploys, restores, webhookFailures] = await Promise.all([
      readHealthRecords(config),
      readDeployRecords(config),
      new RestoreLog(config.repository).list(),
      readTextIfExists(join(config.stateDir, WEBHOOK_FAILURES_FILE)),
    ]);
    const targets = config.targets.map((t) => t.name);
    return {
      backup: backupMetrics({ targets, ...records, restores, now: new Date(), limits: healthLimits(config) }),
      deploy: deployMetrics(deploys, config.apps.map((a) => a.name)),
      webhookFailures: countWebhookFailures(parseWebhookFailures(webhookFailures ?? '')),
    };
  };
  // Every metric's collect asks for the figures; one scrape reads the records once.
  let current: Promise<OpsFigures> | undefined;
  const figures = () => (current ??= read().finally(() => (current = undefined)));
  const registry = createMetricsRegistry(config.metrics.prefix, figures);

  const server: Server = createServer(async (request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    try {
      const body = await registry.metrics();
      response.writeHead(200, { 'content-type': registry.contentType }).end(body);
    } catch (err) {
      response.writeHead(500).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  });
  await new Promise<void>((resolve, reject) =>
    server
      .once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUse('metrics.port', port, METRICS_PORT_SETTINGS) : err))
      .listen(port, '0.0.0.0', resolve),
  );
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${boundPort}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
