import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { describeAddress } from '../../config/database-url.js';
import type { OpsConfig } from '../../config/load-config.js';
import { isDatabase, type DatabaseTarget } from '../../config/target.js';
import type { RestorePlan } from '../../contracts/restore.js';
import { restoreScratchName } from '../../core/backup-id.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { ArtifactMismatch, NeedsReplace, PreconditionFailed } from '../../core/errors.js';
import { databaseNameProblem, keptDatabaseName, restoredDatabaseName, type RestorePick } from '../../core/restore-pick.js';
import { restoreLogEntry } from '../../core/restore-log.js';
import { renderRestoreReport, type RestoreRecord } from '../../core/restore-report.js';
import type { RestoreSource } from '../../core/restore-source.js';
import { findTarget } from '../../config/lookups.js';
import { sealedRestoreChecks } from '../encryption/seal-findings.js';
import { withHeartbeat } from '../heartbeat.js';
import { fetchOffsiteCopy } from '../offsite/fetch-copy.js';
import { writeFileAtomic } from '../../records/atomic-write.js';
import { RestoreLog } from '../../records/restore-log.js';
import { BackupRepository } from '../../records/backup-repository.js';
import { checksumMismatch } from '../verify/artifact-checksum.js';
import { databaseTargetOf, restoreDatabase } from '../verify/restore-and-check.js';
import type { Promotion, RestoreOutcome } from '../verify/restore-outcome.js';
import { mysqlDestinationState, postgresDestinationState } from './destination-state.js';
import { pickRestoreBackup } from './offsite-pick.js';
import { restoreWhileHashing } from './restore-while-hashing.js';
import { restoreServerOf } from './restore-server.js';

/**
 * `ops restore`'s activities: pick the backup, confirm its artifact, restore it into a new
 * database on the target's own server (as the target's configured user) or a `--server` of the
 * config, with verify's checks, report. Inputs are ids and names; the artifact is read from the
 * local repository by id, or fetched by id from an offsite destination by name, in the step that
 * restores it.
 */
export function createRestoreActivities(config: OpsConfig) {
  const repository = new BackupRepository(config.repository);

  const pickBackup = async (target: string, pick: RestorePick, from: RestoreSource | undefined) => pickRestoreBackup(config, await repository.list(target), target, pick, from);

  return {
    /**
     * The backup and the final name, checked before anything is restored: an existing non-empty
     * database there is refused (NeedsReplace) unless the run replaces it. With --replace the
     * default final name is the target's own database.
     */
    async planRestore(input: { target: string; pick: RestorePick; from?: RestoreSource; into?: string; replace?: boolean; server?: string; stamp: string }): Promise<RestorePlan> {
      const target = databaseTarget(config, input.target);
      const onto = restoreServerOf(config, target, input.server);
      const picked = await pickBackup(target.name, input.pick, input.from);
      const database = input.into ?? (input.replace ? target.url.database : restoredDatabaseName(target.url.database, input.stamp));
      const problem = databaseNameProblem(database);
      if (problem) throw new PreconditionFailed(`--into: ${problem}`);
      const server = describeAddress({ ...onto.url, database: '' });
      const plan = { backupId: picked.backupId, database, server, ...(picked.from !== undefined ? { from: picked.from } : {}) };
      // Also the first connection as the restoring user: bad credentials stop the run here, before anything is created.
      const state = await (target.kind === 'postgres' ? postgresDestinationState : mysqlDestinationState)(onto, database);
      if (!state.exists) return plan;
      if (state.tables > 0 && !input.replace) {
        throw new NeedsReplace(`database ${database} on ${server} exists with ${state.tables} table(s): restore over it with --replace, or into a new database with --into NAME`);
      }
      return { ...plan, replacing: { keptAs: keptDatabaseName(database, input.stamp), tables: state.tables } };
    },

    /** The artifact must be the one its manifest describes before a replace waits for someone's approval. */
    async confirmRestoreArtifact(input: { backupId: string }): Promise<{ sha256: string; bytes: number }> {
      const entry = await repository.get(input.backupId);
      const mismatch = await withHeartbeat(() => checksumMismatch(entry.manifest, join(entry.dir, entry.manifest.artifact)));
      if (mismatch) throw new ArtifactMismatch(`${input.backupId}: ${mismatch}; nothing was restored`);
      return { sha256: entry.manifest.sha256, bytes: entry.manifest.bytes };
    },

    /**
     * Restores into a restore_* scratch database and checks it there; only a copy that passed
     * takes the final name (or, with `replacing`, swaps with the database there). Cancelled,
     * failed or killed, it leaves no database under the final name and never touches the old one.
     * A local artifact is hashed while it is restored, and a mismatch keeps it from the final name
     * (see restoreWhileHashing). With `from`, the copy is fetched from that offsite destination and
     * its checksum confirmed in this same step, before anything is created: the fetched files are on
     * this worker's disk only, so no later step may need them.
     */
    async restoreToFinalName(input: { backupId: string; database: string; replacing?: { keptAs: string }; from?: string; server?: string }): Promise<RestoreOutcome & { fetched?: FetchedCopy; confirmed?: ConfirmedArtifact }> {
      const promote: Promotion = { database: input.database, ...(input.replacing ? { replace: { keptAs: input.replacing.keptAs } } : {}) };
      return withHeartbeat(async ({ cancelSignal }) => {
        const context = { cancelSignal, now: () => new Date(), staleAfterHours: config.backup.verify.dropStaleAfterHours, identity: config.backup.encryption?.identityFile };
        const destinationOf = (target: DatabaseTarget) => ({ server: restoreServerOf(config, target, input.server), database: restoreScratchName(target.name, new Date()), scratchPrefix: 'restore_' as const, promote });
        const restore = (manifest: BackupManifest, artifact: string) => {
          const target = databaseTargetOf(config, manifest);
          return restoreDatabase(manifest, artifact, destinationOf(target), target, context);
        };
        // An encrypted backup's checks name its tables: sealed beside the run's report, by the run's id.
        const told = (manifest: BackupManifest, outcome: RestoreOutcome) => {
          const run = (Context.current().info.workflowExecution?.workflowId ?? input.database).replace(/[^A-Za-z0-9._-]/g, '_');
          return sealedRestoreChecks(manifest, outcome, config.backup.encryption?.recipients, join(config.reports, `${run}.checks.json.age`));
        };
        if (input.from === undefined) {
          const { manifest, dir } = await repository.get(input.backupId);
          const target = databaseTargetOf(config, manifest);
          const refusal = (mismatch: string) => `${input.backupId}: ${mismatch}; its scratch database was dropped, nothing was restored`;
          const outcome = await restoreWhileHashing(manifest, join(dir, manifest.artifact), destinationOf(target), target, context, refusal);
          return { ...(await told(manifest, outcome)), confirmed: { sha256: manifest.sha256, bytes: manifest.bytes } };
        }
        // Keyed by the final database: a retry on this worker empties and reuses what a killed attempt left.
        const dir = join(config.stateDir, 'restores', `${input.database}-${input.backupId}`);
        try {
          const { manifest, from } = await fetchOffsiteCopy(config, { backupId: input.backupId, dir, from: input.from }, cancelSignal);
          const artifact = join(dir, manifest.artifact);
          const mismatch = await checksumMismatch(manifest, artifact);
          if (mismatch) throw new ArtifactMismatch(`${input.backupId} fetched from ${from}: ${mismatch}; nothing was restored`);
          return { ...(await told(manifest, await restore(manifest, artifact))), fetched: { from, sha256: manifest.sha256, bytes: manifest.bytes } };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
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

/** The local artifact a restore confirmed against its manifest. */
export interface ConfirmedArtifact {
  sha256: string;
  bytes: number;
}

/** The offsite copy a restore fetched, confirmed against its manifest. */
export interface FetchedCopy {
  from: string;
  sha256: string;
  bytes: number;
}

function databaseTarget(config: OpsConfig, name: string): DatabaseTarget {
  const target = findTarget(config, name);
  if (!isDatabase(target)) throw new PreconditionFailed(`target "${name}" is a files target: restore it with --to DIR (workflow restoreFiles)`);
  return target;
}

export type RestoreActivities = ReturnType<typeof createRestoreActivities>;
