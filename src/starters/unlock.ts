import type { Command } from 'commander';
import { findApp } from '../config/lookups.js';
import { formatLocalTime } from '../core/format.js';
import { heldDeployLock } from '../temporal/deploy-lock-holder.js';
import { unlockSignal } from '../workflows/deploy-lock.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { whoIsActing } from './who.js';

/** How long the lock run gets to take the signal and end before it is terminated instead. */
const RELEASE_WAIT_MS = 15_000;

export function registerUnlock(program: Command): void {
  program
    .command('unlock')
    .description('release the deploy lock `ops lock` took')
    .argument('<app>', 'an app from the config')
    .option('--by <name>', 'who releases it (default: GITHUB_ACTOR or the OS user)')
    .action(async (app: string, options: { by?: string }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      findApp(config, app);
      const temporal = await connectTemporal(config);
      try {
        const held = await heldDeployLock(temporal.client, app);
        if (!held) throw new UsageError(`deploys of ${app} are not locked`);
        const by = whoIsActing(options.by);
        const handle = temporal.client.workflow.getHandle(held.workflowId, held.runId);
        await handle.signal(unlockSignal, { by });
        // The signal ends the run once a worker takes it; with no worker running, the lock is still released, by terminating the run.
        const ended = await Promise.race([handle.result().then(() => true, () => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), RELEASE_WAIT_MS).unref())]);
        if (!ended) await handle.terminate(`unlocked by ${by}; no worker took the unlock signal within ${RELEASE_WAIT_MS / 1000} s`);
        console.log(`unlocked deploys of ${app} (locked by ${held.by} since ${formatLocalTime(held.since, config.timeZone)}: ${held.reason}; unlocked by ${by})`);
      } finally {
        await temporal.close();
      }
    });
}
