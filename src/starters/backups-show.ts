import type { Command } from 'commander';
import { openSealedFindings } from '../activities/encryption/seal-findings.js';
import type { SealedFindings } from '../core/backup-record.js';
import { formatBytes, formatLocalTime } from '../core/format.js';
import { backupArgument } from './backup-argument.js';
import { loadCliConfig, type GlobalOptions } from './cli-config.js';

/**
 * `ops backups show ID`: one backup's manifest summary and its verify record. An encrypted backup's
 * failed verify keeps its details (tables, assertions) sealed in verify.json.age; they are opened
 * here with backup.encryption.identityFile, on the machine that runs the command.
 */
export function registerBackupsShow(backups: Command, program: Command): void {
  backups
    .command('show <id>')
    .description('one backup: its manifest and verify record, with the sealed details of a failed verify when the identity is configured')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const entry = await backupArgument(config, id);
      const { manifest, verify } = entry;
      const sealed: SealedFindings | undefined = verify?.sealed ? await openSealedFindings(manifest, entry.dir, verify.sealed, config.backup.encryption?.identityFile) : undefined;
      if (options.json) {
        console.log(JSON.stringify({ id, kind: manifest.kind, finishedAt: manifest.finishedAt, bytes: manifest.bytes, sha256: manifest.sha256, verify: verify ?? null, ...(sealed ? { sealed } : {}) }, null, 2));
        return;
      }
      console.log(`${id}  ${manifest.kind}  finished ${formatLocalTime(manifest.finishedAt, config.timeZone)}  ${formatBytes(manifest.bytes)}${manifest.encryption ? `  encrypted to ${manifest.encryption.recipients.join(', ')}` : ''}`);
      console.log(`verify: ${verify?.status ?? 'none'}`);
      for (const reason of verify?.reasons ?? []) console.log(`  ${reason}`);
      if (!sealed) return;
      console.log(`sealed details (${verify!.sealed}):`);
      for (const reason of sealed.reasons) console.log(`  ${reason}`);
      for (const d of sealed.rowCountDifferences) console.log(`  ${d.table}: manifest ${d.expected ?? 'absent'}, restored ${d.actual ?? 'absent'}`);
    });
}
