import type { Command } from 'commander';
import { evaluateBackupHealth } from '../activities/backup/evaluate-backup-health.js';
import { RestoreLog } from '../records/restore-log.js';
import { colourWanted, paint } from '../core/colour.js';
import { formatBytes } from '../core/format.js';
import { lastRtoSeconds } from '../core/restore-log.js';
import { loadCliConfig, type GlobalOptions } from './cli-context.js';
import { RunFailed } from './exit-codes.js';
import { deployLockLines, deployLocks } from './status-locks.js';
import { printTable } from './print-table.js';

const hours = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)}h`);
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const STATUS_STYLE = { OK: 'green', WARN: 'yellow', FAIL: 'red' } as const;
const painted = (status: keyof typeof STATUS_STYLE) => paint(status, STATUS_STYLE[status], colourWanted(process.env, process.stdout.isTTY === true));

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('backup health per target and overall (OK, WARN or FAIL, with reasons), from the repository; exit 1 on FAIL')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const health = await evaluateBackupHealth(config);
      const locks = await deployLocks(config);
      if (options.json) {
        // The RTO of the newest `ops restore` that passed is no health finding: shown, never judged.
        const restores = await new RestoreLog(config.repository).list(health.targets.map((t) => t.target));
        const targets = health.targets.map((t) => ({ ...t, lastRtoSeconds: lastRtoSeconds(restores, t.target) }));
        console.log(JSON.stringify({ ...health, targets, ...(locks ? { deployLocks: 'unknown' in locks ? { unknown: locks.unknown } : locks.locks } : {}) }, null, 2));
      } else if (health.targets.length === 0) {
        // A deploy-only host's config: no table of nothing, and no health to claim.
        console.log('backup health: no backup targets in this config');
      } else {
        console.log(`backup health: ${painted(health.status)}`);
        printTable(
          ['TARGET', 'STATUS', 'VALID DUMP AGE', 'VERIFIED AGE', 'SUCCESS 7D', 'VERIFY 7D', 'LAST RESTORE', 'STORAGE'],
          health.targets.map((t) => [
            t.target, painted(t.status), hours(t.validDumpAgeHours), hours(t.passedVerifyAgeHours), percent(t.backupSuccessRate7d),
            percent(t.verifySuccessRate7d), t.lastRestoreSeconds === null ? '—' : `${t.lastRestoreSeconds.toFixed(1)}s`, formatBytes(t.storageBytes),
          ]),
        );
        for (const reason of health.reasons) console.log(`  - ${reason}`);
      }
      if (!options.json && locks) for (const line of deployLockLines(locks, config.timeZone)) console.log(line);
      if (health.status === 'FAIL') throw new RunFailed(`backup health is FAIL: ${health.reasons.join('; ')}`);
    });
}
