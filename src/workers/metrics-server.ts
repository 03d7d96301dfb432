import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { BackupRepository } from '../activities/repository/backup-repository.js';
import type { OpsConfig } from '../config/load-config.js';
import { backupMetrics, type TargetMetrics } from '../core/backup-metrics.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves /metrics; every value is computed from the backup repository at scrape time, so it survives restarts. */
export async function startMetricsServer(config: OpsConfig, port = config.metrics.port): Promise<MetricsServer> {
  const registry = new Registry();
  const repository = new BackupRepository(config.repository);
  const prefix = config.metrics.prefix;
  let current: Promise<TargetMetrics[]> | undefined;
  const figures = () => (current ??= repository.list().then((entries) => backupMetrics(entries, new Date())).finally(() => (current = undefined)));
  const gauge = (name: string, help: string, pick: (m: TargetMetrics) => number | undefined) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ['target'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const m of await figures()) {
          const value = pick(m);
          if (value !== undefined) this.set({ target: m.target }, value);
        }
      },
    });
  gauge('last_db_dump_age_minutes', 'Minutes since the newest complete backup of the target', (m) => m.lastDumpAgeMinutes);
  gauge('last_verify_restore_age_hours', 'Hours since the newest passed verify-restore of the target', (m) => m.lastVerifyAgeHours);
  gauge('restore_duration_seconds_last', 'Restore duration of the newest passed verify-restore', (m) => m.lastRestoreSeconds);
  gauge('backup_bytes_last', 'Size of the newest backup of the target', (m) => m.lastBackupBytes);
  gauge('backups_stored', 'Complete backups of the target in the local repository', (m) => m.backups);

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
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve));
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${boundPort}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
