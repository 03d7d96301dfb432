import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeAddress } from '../../config/database-url.js';
import type { OpsConfig } from '../../config/load-config.js';
import { isDatabase, type DatabaseTarget } from '../../config/target.js';
import { restoreScratchName } from '../../core/backup-id.js';
import { NeedsReplace, PreconditionFailed } from '../../core/errors.js';
import { databaseNameProblem, keptDatabaseName, pickBackupForRestore, restoredDatabaseName, type RestorePick } from '../../core/restore-pick.js';
import { restoreLogEntry } from '../../core/restore-log.js';
import { renderRestoreReport, type RestoreRecord } from '../../core/restore-report.js';
import { findTarget } from '../backup/plan-backup.js';
import { withHeartbeat } from '../heartbeat.js';
import { writeFileAtomic } from '../repository/atomic-write.js';
import { RestoreLog } from '../repository/restore-log.js';
import { BackupRepository } from '../repository/backup-repository.js';
import { checksumMismatch, databaseTargetOf, restoreDatabase } from '../verify/restore-and-check.js';
import type { Promotion, RestoreOutcome } from '../verify/restore-outcome.js';
import { mysqlDestinationState, postgresDestinationState } from './destination-state.js';
import { restoreServerOf } from './restore-server.js';

export interface RestorePlan {
  backupId: string;
  database: string;
  /** the target's server, without a password, for reports */
  server: string;
  /** set when `database` exists: the swap keeps it under `keptAs`; it holds `tables` tables */
  replacing?: { keptAs: string; tables: number };
}

/**
 * `ops restore`'s activities: pick the backup, confirm its artifact, restore it into a new
 * database on the target's own server (as the target's configured user) or a `--server` of the
 * config, with verify's checks,
 * report. Inputs are ids and names; the artifact is read from the local repository by id.
 */
export function createRestoreActivities(config: OpsConfig) {
  const repository = new BackupRepository(config.repository);

  return {
    /**
     * The backup and the final name, checked before anything is restored: an existing non-empty
     * database there is refused (NeedsReplace) unless the run replaces it. With --replace the
     * default final name is the target's own database.
     */
    async planRestore(input: { target: string; pick: RestorePick; into?: string; replace?: boolean; server?: string; stamp: string }): Promise<RestorePlan> {
      const target = databaseTarget(config, input.target);
      const onto = restoreServerOf(config, target, input.server);
      const picked = pickBackupForRestore(await repository.list(target.name), target.name, input.pick, config.timeZone);
      if ('none' in picked) throw new PreconditionFailed(picked.none);
      const database = input.into ?? (input.replace ? target.url.database : restoredDatabaseName(target.url.database, input.stamp));
      const problem = databaseNameProblem(database);
      if (problem) throw new PreconditionFailed(`--into: ${problem}`);
      const server = describeAddress({ ...onto.url, database: '' });
      const plan = { backupId: picked.entry.id, database, server };
      // Also the first connection as the restoring user: bad credentials stop the run here, before anything is created.
      const state = await (target.kind === 'postgres' ? postgresDestinationState : mysqlDestinationState)(onto, database);
      if (!state.exists) return plan;
      if (state.tables > 0 && !input.replace) {
        throw new NeedsReplace(`database ${database} on ${server} exists with ${state.tables} table(s): restore over it with --replace, or into a new database with --into NAME`);
      }
      return { ...plan, replacing: { keptAs: keptDatabaseName(database, input.stamp), tables: state.tables } };
    },

    /** The artifact must be the one its manifest describes before anything is created. */
    async confirmRestoreArtifact(input: { backupId: string }): Promise<{ sha256: string; bytes: number }> {
      const entry = await repository.get(input.backupId);
      const mismatch = await withHeartbeat(() => checksumMismatch(entry.manifest, join(entry.dir, entry.manifest.artifact)));
      if (mismatch) throw new PreconditionFailed(`${input.backupId}: ${mismatch}; nothing was restored`);
      return { sha256: entry.manifest.sha256, bytes: entry.manifest.bytes };
    },

    /**
     * Restores into a restore_* scratch database and checks it there; only a copy that passed
     * takes the final name (or, with `replacing`, swaps with the database there). Cancelled,
     * failed or killed, it leaves no database under the final name and never touches the old one.
     */
    async restoreToFinalName(input: { backupId: string; database: string; replacing?: { keptAs: string }; server?: string }): Promise<RestoreOutcome> {
      const entry = await repository.get(input.backupId);
      const target = databaseTargetOf(config, entry.manifest);
      const promote: Promotion = { database: input.database, ...(input.replacing ? { replace: { keptAs: input.replacing.keptAs } } : {}) };
      const destination = { server: restoreServerOf(config, target, input.server), database: restoreScratchName(target.name, new Date()), scratchPrefix: 'restore_' as const, promote };
      return withHeartbeat(({ cancelSignal }) => restoreDatabase(entry.manifest, join(entry.dir, entry.manifest.artifact), destination, target, { cancelSignal, now: () => new Date(), staleAfterHours: config.backup.verify.dropStaleAfterHours }));
    },

    /** The Markdown report, and the run's line in the target's restore log (its RTO, for /metrics and `ops status`). */
    async writeRestoreReport(input: { record: RestoreRecord; stamp: string }): Promise<{ report: string }> {
      const { record, stamp } = input;
      await new RestoreLog(config.repository).append(restoreLogEntry(record));
      await mkdir(config.reports, { recursive: true });
      const report = join(config.reports, `restore-${record.target}-${stamp}.md`);
      await writeFileAtomic(report, renderRestoreReport(record, config.timeZone));
      return { report };
    },
  };
}

function databaseTarget(config: OpsConfig, name: string): DatabaseTarget {
  const target = findTarget(config, name);
  if (!isDatabase(target)) throw new PreconditionFailed(`target "${name}" is a files target: ops restore restores databases (files snapshots not yet)`);
  return target;
}

export type RestoreActivities = ReturnType<typeof createRestoreActivities>;
