import type { Command } from 'commander';
import { currentRelease } from '../activities/deploy/build-and-switch.js';
import { readReleaseLog } from '../records/release-log.js';
import { stageTarget } from '../activities/deploy/stage-target.js';
import { PreconditionFailed } from '../core/errors.js';
import { formatLocalTime } from '../core/format.js';
import { loadCliConfig, type GlobalOptions } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import { printTable } from './print-table.js';

export function registerReleases(program: Command): void {
  program
    .command('releases')
    .description('the release history of an app on a stage, read from the host\'s releases.log')
    .argument('<app>')
    .requiredOption('-s, --stage <stage>')
    .option('--json', 'machine-readable output')
    .action(async (app: string, options: { stage: string; json?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      try {
        stageTarget(config, app, options.stage);
      } catch (err) {
        if (err instanceof PreconditionFailed) throw new UsageError(err.message);
        throw err;
      }
      const at = { app, stage: options.stage };
      const [entries, current] = await Promise.all([readReleaseLog(config, at), currentRelease(config, at)]);
      if (options.json) {
        console.log(JSON.stringify({ current: current.sha, entries }, null, 2));
        return;
      }
      console.log(`current: ${current.sha ?? 'none'}`);
      printTable(
        ['AT', 'EVENT', 'SHA', 'PREVIOUS', 'BY', 'DETAIL'],
        entries.map((e) => [formatLocalTime(e.at, config.timeZone), e.event, e.sha.slice(0, 12), e.previous?.slice(0, 12) ?? '-', e.by, e.detail ?? '']),
      );
    });
}
