import type { Command } from 'commander';
import type { ReencryptResult } from '../activities/encryption/reencrypt-backup.js';
import { stampOf } from '../core/backup-id.js';
import { runSummary } from '../core/run-summary.js';
import type { ReencryptInput } from '../workflows/reencrypt-backups.js';
import { loadCliConfig, type GlobalOptions } from './cli-config.js';
import { UsageError } from './exit-codes.js';

/** `ops backups reencrypt`: starts the run that re-wraps older backups for the current recipients, on a worker that holds the identity. */
export function registerBackupsReencrypt(backups: Command, program: Command): void {
  backups
    .command('reencrypt')
    .description('re-wrap encrypted backups for backup.encryption\'s current recipients, and upload their offsite copies again')
    .option('-t, --target <name>', 'only this target\'s backups')
    .option('--backup <id>', 'only this backup')
    .option('-w, --wait', 'wait and print what was re-encrypted')
    .action(async (options: { target?: string; backup?: string; wait?: boolean }) => {
      if (options.target && options.backup) throw new UsageError('give --target or --backup, not both');
      const config = loadCliConfig(program.opts<GlobalOptions>());
      if (!config.backup.encryption) throw new UsageError('backup.encryption is not configured: there are no recipients to re-encrypt to');
      const input: ReencryptInput = { ...(options.target ? { target: options.target } : {}), ...(options.backup ? { backupId: options.backup } : {}) };
      // The Temporal client loads only now: `ops backups list`, of the same verb, never needs it.
      const [{ connectTemporal }, { reencryptBackups }, { workflowIds }, { printStarted }, { watchRun }] = await Promise.all([
        import('./cli-context.js'),
        import('../workflows/reencrypt-backups.js'),
        import('../temporal/names.js'),
        import('./started-run.js'),
        import('./watch-run.js'),
      ]);
      const temporal = await connectTemporal(config);
      try {
        const workflowId = workflowIds.reencrypt(stampOf(new Date()));
        const handle = await temporal.client.workflow.start(reencryptBackups, { taskQueue: temporal.taskQueue, workflowId, staticSummary: runSummary.reencrypt(input), args: [input] });
        printStarted(temporal.settings, workflowId, handle.firstExecutionRunId);
        if (!options.wait) return;
        const results = await watchRun<ReencryptResult[]>(handle, { settings: temporal.settings });
        if (results.length === 0) console.log('every encrypted backup is already for the current recipients');
        for (const r of results) {
          const uploads = r.reuploaded.length > 0 ? `; uploaded again to ${r.reuploaded.join(', ')}` : '';
          console.log(`${r.backupId}: ${r.rewrapped ? 're-encrypted' : 'already'} for recipients ${r.recipients.join(', ')}${uploads}`);
        }
      } finally {
        await temporal.close();
      }
    });
}
