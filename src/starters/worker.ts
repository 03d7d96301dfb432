import type { Command } from 'commander';
import { connectionSettings } from '../temporal/connection-settings.js';
import { taskQueueFrom } from '../temporal/names.js';
import { runWorker } from '../workers/run-worker.js';
import { loadCliConfig, type GlobalOptions } from './cli-context.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker for the configured Temporal (TEMPORAL_ADDRESS etc.), with the metrics endpoint')
    .option('--no-metrics', 'do not serve /metrics')
    .action(async (options: { metrics: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>(), 'require');
      await runWorker({ config, settings: connectionSettings(process.env, config.stateDir), taskQueue: taskQueueFrom(process.env), metrics: options.metrics });
    });
}
