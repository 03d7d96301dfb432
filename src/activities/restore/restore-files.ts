import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { joinPath, parseLocation, type Location } from '../../config/location.js';
import type { OpsConfig } from '../../config/load-config.js';
import { isDatabase } from '../../config/target.js';
import { makeDir, onHostOf, sha256OfFiles } from '../../commands/remote-files.js';
import { rsyncRestore } from '../../commands/rsync.js';
import type { SshSettings } from '../../commands/ssh.js';
import { isSnapshotTree, type BackupManifest } from '../../core/backup-record.js';
import type { CheckVerdict } from '../../core/check-verdicts.js';
import { PreconditionFailed, VerifyFailed } from '../../core/errors.js';
import { filesRestoreVerdicts, parseSha256sumZero } from '../../core/files-restore-checks.js';
import type { RestorePick } from '../../core/restore-pick.js';
import type { SealedChanges } from '../../core/restore-report.js';
import type { RestoreSource } from '../../core/restore-source.js';
import { findTarget } from '../../config/lookups.js';
import { hashTree } from '../files/hash-tree.js';
import { withHeartbeat } from '../heartbeat.js';
import { fetchOffsiteCopy } from '../offsite/fetch-copy.js';
import { commandFailure, runCommand } from '../process/run-command.js';
import { startChild } from '../process/start-child.js';
import { BackupRepository } from '../../records/backup-repository.js';
import { openArtifact } from '../encryption/open-artifact.js';
import { sealedSnapshotRestore } from '../encryption/seal-findings.js';
import { checksumMismatch } from '../verify/artifact-checksum.js';
import { pickRestoreBackup } from './offsite-pick.js';
import { removeStaging, stagingDir, sweepStaging, unsealInto } from './sealed-staging.js';

/** More itemized lines than this are counted, not listed: the list travels in workflow history. */
const MAX_CHANGES = 1000;
/** Paths per sha256sum call, well within the argument limit of a local or remote exec. */
const HASH_BATCH = 500;

export interface SnapshotRestoreResult {
  /** rsync's itemized changes, one line each (at most MAX_CHANGES, then a count); none for a sealed snapshot */
  changes: string[];
  /** a sealed snapshot's changes, counted: their paths are sealed beside the report */
  sealedChanges?: SealedChanges;
  /** after a real restore: every manifest file present, with its sha256; none for a dry run */
  checks: CheckVerdict[];
  restoreSeconds: number;
  /** the offsite destination the snapshot was fetched from, every file confirmed; absent: the local repository */
  fetched?: { from: string; files: number };
}

/**
 * `ops restore` of a files target: a snapshot from the local repository (by id), or fetched from an
 * offsite destination, into a directory, local or over ssh, with rsync; then every file's sha256
 * there against the manifest.
 */
export function createFilesRestoreActivities(config: OpsConfig) {
  const repository = new BackupRepository(config.repository);

  return {
    /** As for databases: local, offsite (`from`), or by default local, else offsite. */
    async planFilesRestore(input: { target: string; pick: RestorePick; from?: RestoreSource }): Promise<{ backupId: string; from?: string }> {
      const target = findTarget(config, input.target);
      if (isDatabase(target)) throw new PreconditionFailed(`target "${input.target}" is a database: restore it with --into, not --to`);
      return pickRestoreBackup(config, await repository.list(target.name), target.name, input.pick, input.from);
    },

    /**
     * Files not in the snapshot are kept unless `delete`; a dry run lists the changes and makes none.
     * With `from`, the snapshot is fetched from that offsite destination into a work dir under
     * stateDir/restores/ and every file checked against its manifest before rsync writes anything,
     * in this same step: the fetched files are on this worker's disk only, so no later step may
     * need them. The work dir is removed when the step ends.
     */
    async restoreSnapshot(input: { backupId: string; to: string; dryRun: boolean; delete: boolean; from?: string; stamp?: string }): Promise<SnapshotRestoreResult> {
      const dest = destination(input.to);
      const started = Date.now();
      return withHeartbeat(async ({ cancelSignal }) => {
        if (input.from === undefined) {
          const entry = await repository.get(input.backupId);
          const artifact = join(entry.dir, entry.manifest.artifact);
          return isSnapshotTree(entry.manifest) ? rsyncAndCheck(entry.manifest, artifact, cancelSignal) : restoreSealed(entry.manifest, artifact, cancelSignal);
        }
        // Keyed by the run: a retry on this worker empties and reuses what a killed attempt left.
        const dir = join(config.stateDir, 'restores', `${input.backupId}-${input.stamp ?? 'files'}`);
        try {
          const { manifest, from } = await fetchOffsiteCopy(config, { backupId: input.backupId, dir, from: input.from }, cancelSignal);
          if (manifest.kind !== 'files') throw new PreconditionFailed(`${input.backupId} is not a files snapshot`);
          const source = join(dir, manifest.artifact);
          if (!isSnapshotTree(manifest)) return { ...(await restoreSealed(manifest, source, cancelSignal, from)), fetched: { from, files: 1 } };
          const files = manifest.files ?? [];
          const tree = await hashTree(source);
          const problems = filesRestoreVerdicts(files, new Map(tree.map((f) => [f.path, f.sha256]))).filter((c) => !c.passed).map((c) => c.detail);
          // rsync would write a file the manifest lacks into DIR as well: refused like a changed one.
          const known = new Set(files.map((f) => f.path));
          const extra = tree.filter((f) => !known.has(f.path)).map((f) => f.path);
          if (extra.length > 0) problems.push(`not in the manifest: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ` and ${extra.length - 5} more` : ''}`);
          if (problems.length > 0) throw new PreconditionFailed(`${input.backupId} fetched from ${from}: ${problems.join('; ')}; nothing was restored to ${input.to}`);
          return { ...(await rsyncAndCheck(manifest, source, cancelSignal)), fetched: { from, files: files.length } };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

      /**
       * A sealed snapshot: the ciphertext's hash, the identity, then decrypted and unpacked into a
       * staging dir beside the destination (on its host), from which rsync restores as from a tree.
       * age authenticates every byte it decrypts; the files in the destination are then checked
       * against the sealed list. The staging dir goes when the step ends, and with the next restore
       * to this destination if the worker was killed first.
       */
      async function restoreSealed(manifest: BackupManifest, artifactPath: string, cancelSignal: AbortSignal, from?: string): Promise<SnapshotRestoreResult> {
        if (manifest.kind !== 'files') throw new PreconditionFailed(`${input.backupId} is not a files snapshot`);
        const mismatch = await checksumMismatch(manifest, artifactPath);
        if (mismatch) throw new VerifyFailed(`${input.backupId}${from !== undefined ? ` fetched from ${from}` : ''}: ${mismatch}; nothing was restored to ${input.to}`);
        const opened = await openArtifact(manifest, artifactPath, config.backup.encryption?.identityFile);
        await sweepStaging(dest, config.ssh, cancelSignal);
        const staging = stagingDir(dest, input.stamp ?? input.backupId);
        try {
          await unsealInto(opened, dest, staging, config.ssh, cancelSignal);
          return await rsyncAndCheck(opened.manifest, staging, cancelSignal, { onDestHost: true, sealed: true });
        } finally {
          await removeStaging(dest, staging, config.ssh).catch(() => undefined);
        }
      }

      /**
       * `onDestHost`: sourceDir is on the destination's host (a staging dir), so rsync runs there.
       * `sealed`: the snapshot is encrypted, so what names its files (rsync's changes, a failed
       * check's paths) is sealed beside the run's report (see sealedSnapshotRestore).
       */
      async function rsyncAndCheck(manifest: BackupManifest, sourceDir: string, cancelSignal: AbortSignal, how: { onDestHost?: boolean; sealed?: boolean } = {}): Promise<SnapshotRestoreResult> {
        if (manifest.kind !== 'files') throw new PreconditionFailed(`${input.backupId} is not a files snapshot`);
        // rsync creates only the last directory of its destination.
        if (!input.dryRun) await runCommand(makeDir(dest, dest.path, config.ssh), { cancelSignal });
        const options = { sourceDir, ssh: config.ssh, dryRun: input.dryRun, delete: input.delete };
        const rsync = how.onDestHost ? onHostOf(dest, config.ssh, rsyncRestore({ ...options, dest: { kind: 'local', path: dest.path } })) : rsyncRestore({ ...options, dest });
        const output = await runCommand(rsync, { cancelSignal });
        const lines = output.split('\n').filter((line) => line.trim() !== '');
        const changes = lines.length <= MAX_CHANGES ? lines : [...lines.slice(0, MAX_CHANGES), `…and ${lines.length - MAX_CHANGES} more`];
        const files = manifest.files ?? [];
        const hashes = input.dryRun ? undefined : await hashesAt(dest, files.map((f) => f.path), config.ssh, cancelSignal);
        const checks = hashes ? filesRestoreVerdicts(files, hashes) : [];
        const restoreSeconds = (Date.now() - started) / 1000;
        if (!how.sealed) return { changes, checks, restoreSeconds };
        const countedChecks = hashes ? filesRestoreVerdicts(files, hashes, { namePaths: false }) : [];
        const run = (Context.current().info.workflowExecution?.workflowId ?? input.backupId).replace(/[^A-Za-z0-9._-]/g, '_');
        const told = await sealedSnapshotRestore({ changes: lines, changeCount: lines.length, checks, countedChecks }, config.backup.encryption?.recipients, join(config.reports, `${run}.changes.json.age`));
        return { ...told, restoreSeconds };
      }
    },
  };
}

function destination(to: string): Location {
  try {
    const location = parseLocation(to, '/');
    if (!location.path.startsWith('/')) throw new Error(`expected an absolute path, got "${to}"`);
    return location;
  } catch (err) {
    throw new PreconditionFailed(`--to: ${(err as Error).message}`);
  }
}

/** The sha256 of each relative path under the destination, by its relative path; a missing file is absent. */
async function hashesAt(dest: Location, paths: string[], ssh: SshSettings, cancelSignal: AbortSignal): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const prefix = `${dest.path.replace(/\/+$/, '')}/`;
  for (let i = 0; i < paths.length; i += HASH_BATCH) {
    const command = sha256OfFiles(dest, paths.slice(i, i + HASH_BATCH).map((p) => joinPath(dest.path, p)), ssh);
    const result = await startChild(command, { reject: false, stdin: 'ignore', cancelSignal, stripFinalNewline: false });
    // 1: some file could not be read (missing): the others are in the output all the same.
    if (result.exitCode !== 0 && result.exitCode !== 1) throw commandFailure(command, result.exitCode, String(result.stderr ?? ''), {});
    for (const [path, hash] of parseSha256sumZero(String(result.stdout ?? ''))) hashes.set(path.startsWith(prefix) ? path.slice(prefix.length) : path, hash);
  }
  return hashes;
}

export type FilesRestoreActivities = ReturnType<typeof createFilesRestoreActivities>;
