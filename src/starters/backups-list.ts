import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BackupRepository } from '../records/backup-repository.js';
import type { OffsiteStore } from '../activities/offsite/offsite-store.js';
import type { OpsConfig } from '../config/load-config.js';
import { describeDestination } from '../config/offsite-destination.js';
import { backupId, dateOfStamp } from '../core/backup-id.js';
import type { BackupEntry, BackupManifest } from '../core/backup-record.js';
import { formatBytes, formatLocalTime } from '../core/format.js';
import { offsitePlaces, restorability, type VerifyState } from '../core/restorability.js';
import { loadCliConfig, type GlobalOptions } from './cli-config.js';
import { printTable } from './print-table.js';
import { registerBackupsReencrypt } from './backups-reencrypt.js';
import { registerBackupsShow } from './backups-show.js';

/** One line of the list: a backup the repository records, or a copy only an offsite listing shows. */
interface Listed {
  id: string;
  target: string;
  entry?: BackupEntry;
  /** an offsite-only copy's manifest, read from the first destination that lists it */
  offsiteManifest?: BackupManifest;
  /** when it finished, or for an offsite-only copy when it started (its stamp) */
  sortKey: number;
  verify: VerifyState;
  where: string[];
  restorable: boolean;
  whyNot?: string;
}

export function registerBackupsList(program: Command): void {
  const backups = program.command('backups').description('the backups in the local repository');
  registerBackupsReencrypt(backups, program);
  registerBackupsShow(backups, program);
  backups
    .command('list')
    .description('list complete backups, oldest first, and whether each is restorable')
    .option('-t, --target <name>', 'only this target')
    .option('--offsite', 'also list each offsite destination\'s copies (slower; shows copies the repository no longer has)')
    .option('--json', 'machine-readable output')
    .action(async (options: { target?: string; offsite?: boolean; json?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const entries = await new BackupRepository(config.repository).list(options.target);
      const configured = config.backup.offsite.map(describeDestination);
      // Listing destinations is slow (ssh, S3) and loads their clients: only when asked.
      const listed = new Map<string, { target: string; stamp: string; destinations: string[] }>();
      if (options.offsite) {
        const { listOffsiteCopies } = await import('../activities/offsite/offsite-listing.js');
        const targets = options.target ? [options.target] : config.targets.map((t) => t.name);
        for (const listing of await listOffsiteCopies(config, targets)) {
          if ('error' in listing) {
            console.error(`warning: offsite destination ${listing.destination} could not be listed: ${listing.error}`);
            continue;
          }
          for (const [target, stamps] of listing.stamps) {
            for (const stamp of stamps) {
              const id = backupId(target, stamp);
              listed.set(id, { target, stamp, destinations: [...(listed.get(id)?.destinations ?? []), listing.destination] });
            }
          }
        }
      }
      const rows: Listed[] = entries.map((entry) => {
        const verify = entry.verify?.status ?? 'none';
        const local = existsSync(join(entry.dir, entry.manifest.artifact));
        const offsite = offsitePlaces(entry.offsite, listed.get(entry.id)?.destinations ?? [], configured);
        return { id: entry.id, target: entry.target, entry, sortKey: Date.parse(entry.manifest.finishedAt), verify, where: [...(local ? ['local'] : []), ...offsite], ...restorability({ recorded: true, verify, local, offsite }) };
      });
      const known = new Set(entries.map((e) => e.id));
      const manifestOf = offsiteManifestReader(config);
      for (const [id, { target, stamp, destinations }] of listed) {
        if (known.has(id)) continue;
        const offsite = offsitePlaces(undefined, destinations, configured);
        // The lost-host runbook picks from these: kind, time and size come from the copy's own manifest.
        const offsiteManifest = await manifestOf(destinations[0]!, target, stamp);
        rows.push({ id, target, ...(offsiteManifest ? { offsiteManifest } : {}), sortKey: dateOfStamp(stamp).getTime(), verify: 'none', where: offsite, ...restorability({ recorded: false, verify: 'none', local: false, offsite }) });
      }
      rows.sort((a, b) => a.sortKey - b.sortKey);
      if (options.json) {
        console.log(JSON.stringify(rows.map(({ id, target, entry, offsiteManifest, verify, where, restorable, whyNot }) => {
          const manifest = entry?.manifest ?? offsiteManifest;
          return {
            id, target, kind: manifest?.kind ?? null, finishedAt: manifest?.finishedAt ?? null, bytes: manifest?.bytes ?? null, sha256: manifest?.sha256 ?? null,
            verify, offsite: entry?.offsite?.status ?? 'none', where, restorable, ...(whyNot !== undefined ? { whyNot } : {}),
          };
        }), null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log(`no backups${options.target ? ` of ${options.target}` : ''} in ${config.repository}${options.offsite ? ' or offsite' : ''}`);
        return;
      }
      printTable(
        ['ID', 'KIND', 'FINISHED', 'SIZE', 'VERIFY', 'WHERE', 'RESTORABLE'],
        rows.map(({ id, entry, offsiteManifest, verify, where, restorable, whyNot }) => {
          const manifest = entry?.manifest ?? offsiteManifest;
          return [
            id,
            manifest?.kind ?? '-',
            manifest ? formatLocalTime(manifest.finishedAt, config.timeZone) : '-',
            manifest ? formatBytes(manifest.bytes) : '-',
            verify,
            where.join(', ') || '-',
            restorable ? 'yes' : `no: ${whyNot}`,
          ];
        }),
      );
    });
}

/**
 * Reads offsite copies' manifest.json, one store (and S3 client) per destination for the whole
 * listing; undefined when a manifest cannot be read (the row then shows what the listing knows).
 */
function offsiteManifestReader(config: OpsConfig): (destination: string, target: string, stamp: string) => Promise<BackupManifest | undefined> {
  const stores = new Map<string, Promise<OffsiteStore>>();
  return async (destination, target, stamp) => {
    if (!stores.has(destination)) stores.set(destination, import('../activities/offsite/offsite-store.js').then(({ offsiteStoreNamed }) => offsiteStoreNamed(config, destination)));
    return (await stores.get(destination)!).readManifest(target, stamp).catch(() => undefined);
  };
}
