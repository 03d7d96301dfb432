import { Option, type Command } from 'commander';
import { connectionSettings } from '../temporal/connection-settings.js';
import { taskQueueFrom, WORKER_ROLES, type WorkerRole } from '../temporal/names.js';
import { chooseMetricsPort } from '../workers/metrics-port.js';
import { runWorker } from '../workers/run-worker.js';
import { loadCliConfig, type GlobalOptions } from './cli-context.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker for the configured Temporal (TEMPORAL_ADDRESS etc.), with the metrics endpoint')
    .addOption(new Option('--role <role>', 'which steps to take: backup (backup, verify, drill, restore: on the host with the repository), deploy (on the orchestrator) or all; every role runs workflows').choices(WORKER_ROLES).default('all'))
    .option('--no-metrics', 'do not serve /metrics')
    .option('--metrics-port <port>', 'serve /metrics on this port (default: $OPS_METRICS_PORT, then metrics.port)')
    .action(async (options: { role: WorkerRole; metrics: boolean; metricsPort?: string }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>(), 'require');
      const metricsPort = options.metrics ? chooseMetricsPort(options.metricsPort, process.env, config.metrics.port) : false;
      await runWorker({ config, settings: connectionSettings(process.env, config.stateDir), taskQueue: taskQueueFrom(process.env), role: options.role, metricsPort });
    });
}
