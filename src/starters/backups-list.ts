import type { Command } from 'commander';
import { BackupRepository } from '../activities/repository/backup-repository.js';
import { formatBytes, formatLocalTime } from '../core/format.js';
import { loadCliConfig, type GlobalOptions } from './cli-config.js';
import { printTable } from './print-table.js';

export function registerBackupsList(program: Command): void {
  const backups = program.command('backups').description('the backups in the local repository');
  backups
    .command('list')
    .description('list complete backups, oldest first')
    .option('-t, --target <name>', 'only this target')
    .option('--json', 'machine-readable output')
    .action(async (options: { target?: string; json?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const entries = await new BackupRepository(config.repository).list(options.target);
      if (options.json) {
        console.log(JSON.stringify(entries.map(({ id, target, manifest, verify, offsite }) => ({
          id, target, kind: manifest.kind, finishedAt: manifest.finishedAt, bytes: manifest.bytes, sha256: manifest.sha256,
          verify: verify?.status ?? 'none', offsite: offsite?.status ?? 'none',
        })), null, 2));
        return;
      }
      if (entries.length === 0) {
        console.log(`no backups${options.target ? ` of ${options.target}` : ''} in ${config.repository}`);
        return;
      }
      printTable(
        ['ID', 'KIND', 'FINISHED', 'SIZE', 'VERIFY', 'OFFSITE'],
        entries.map((e) => [e.id, e.manifest.kind, formatLocalTime(e.manifest.finishedAt, config.timeZone), formatBytes(e.manifest.bytes), e.verify?.status ?? 'none', e.offsite?.status ?? 'none']),
      );
    });
}
