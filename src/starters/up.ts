import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BackupRepository } from '../records/backup-repository.js';
import { loadConfig } from '../config/load-config.js';
import { peekConfig } from '../config/peek-config.js';
import { stampOf } from '../core/backup-id.js';
import { runSummary } from '../core/run-summary.js';
import { chooseDemoPorts } from '../demo/demo-ports.js';
import { prepareDemoSecrets, startDemoServers, stopLeftoverDemoServers, type DemoServers } from '../demo/start-demo-servers.js';
import { freePort } from '../local-servers/free-port.js';
import { connectionSettings, hasExplicitAddress, recordEmbeddedServer, runUrl } from '../temporal/connection-settings.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { taskQueueFrom, workflowIds } from '../temporal/names.js';
import { probeAddress } from '../temporal/temporal-unreachable.js';
import { chooseMetricsPort } from '../workers/metrics-port.js';
import { startMetricsServer } from '../workers/metrics-server.js';
import { runWorker } from '../workers/run-worker.js';
import { nightlyBackup } from '../workflows/nightly-backup.js';
import { configFileFrom, connectTemporal, type GlobalOptions } from './cli-context.js';
import { applySchedulesOnUp } from './schedules.js';
import { runLocation } from './started-run.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run everything on this machine: the Temporal dev server with its UI (unless TEMPORAL_ADDRESS is set), demo databases if configured, the worker and /metrics')
    .option('--no-first-backup', 'do not start a first backup when the repository is empty')
    .option('--metrics-port <port>', 'serve /metrics on this port (default: $OPS_METRICS_PORT, then metrics.port)')
    .action(async (options: { firstBackup: boolean; metricsPort?: string }) => {
      const file = configFileFrom(program.opts<GlobalOptions>());
      const peek = peekConfig(file);
      mkdirSync(peek.stateDir, { recursive: true });
      const cleanups: Array<() => Promise<void>> = [];
      try {
        const wantsDemo = peek.demo.postgres || peek.demo.mariadb;
        if (wantsDemo) {
          await prepareDemoSecrets(peek.stateDir);
          for (const line of await stopLeftoverDemoServers(peek.stateDir, peek.demo)) console.log(`  ${line}`);
        }
        // The config names the demo ports through these variables, so they are chosen before it loads.
        const env = wantsDemo ? { ...process.env, ...(await chooseDemoPorts(peek.stateDir, peek.demo, process.env)) } : process.env;
        // The whole config is validated before anything starts.
        const config = loadConfig(file, env);
        // A taken metrics port or an unreachable TEMPORAL_ADDRESS fails here, before anything starts.
        const metrics = await startMetricsServer(config, chooseMetricsPort(options.metricsPort, process.env, config.metrics.port));
        cleanups.push(() => metrics.close());
        if (hasExplicitAddress(process.env)) {
          const explicit = connectionSettings(process.env);
          await probeAddress({ address: explicit.connectionOptions.address, namespace: explicit.namespace });
        }
        let demo: DemoServers | undefined;
        if (wantsDemo) {
          demo = await startDemoServers(peek.stateDir, peek.demo, env);
          cleanups.push(() => demo!.stop());
        }

        let server: DevServer | undefined;
        if (!hasExplicitAddress(process.env)) {
          server = await startDevServer({ dbFile: join(config.stateDir, 'temporal.db'), port: await freePort(7233), uiPort: await freePort(8233) });
          cleanups.push(() => server!.stop());
          recordEmbeddedServer(config.stateDir, { address: server.address, ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}), pid: process.pid });
        }
        const settings = connectionSettings(process.env, config.stateDir);
        const taskQueue = taskQueueFrom(process.env);

        console.log(`ops is up  (config ${file})`);
        if (server) console.log(`  Temporal dev server  ${server.address}  (state ${join(config.stateDir, 'temporal.db')})`);
        if (settings.uiUrl) console.log(`  Temporal Web UI      ${settings.uiUrl}`);
        for (const line of demo?.describe ?? []) console.log(`  ${line}`);
        console.log(`  metrics              ${metrics.url}`);
        console.log(`  targets              ${config.targets.map((t) => t.name).join(', ') || 'none'}`);
        console.log('  try                  node bin/ops.js backup --wait   ·   node bin/ops.js backups list');

        const startUp = new AbortController();
        const running = runWorker({ config, settings, taskQueue, metricsPort: false, abortSignal: startUp.signal, log: (line) => console.log(`  ${line}`) });
        try {
          await applySchedulesOnUp(config, (line) => console.log(`  ${line}`));
          if (options.firstBackup && config.targets.length > 0 && (await new BackupRepository(config.repository).list()).length === 0) {
            await startFirstBackup(config);
          }
        } catch (err) {
          // A worker left polling would keep the process alive after the error.
          startUp.abort();
          await running.catch(() => undefined);
          throw err;
        }
        await running;
      } finally {
        for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error(`  cleanup failed: ${String(err)}`));
      }
    });
}

/** An empty repository means a new install: one backup right away shows the whole chain in the UI. */
async function startFirstBackup(config: ReturnType<typeof loadConfig>): Promise<void> {
  const temporal = await connectTemporal(config);
  try {
    const workflowId = workflowIds.nightlyBackup(`${stampOf(new Date())}-first`);
    const url = runUrl(temporal.settings, workflowId);
    await temporal.client.workflow.start(nightlyBackup, { taskQueue: temporal.taskQueue, workflowId, staticSummary: runSummary.nightlyBackup({}), args: [{ ...(url ? { runUrl: url } : {}) }] });
    console.log(`  first backup         ${runLocation(temporal.settings, workflowId)}`);
  } finally {
    await temporal.close();
  }
}
