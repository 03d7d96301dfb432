import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { OpsConfig } from '../../config/load-config.js';
import { describeReach, isDatabase } from '../../config/target.js';
import { backupId, type BackupTrigger } from '../../core/backup-id.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import type { BackupRepository } from '../../records/backup-repository.js';
import type { DumpResult } from '../../contracts/backup.js';
import { dumpMysqlInService, dumpPostgresInService } from './dump-in-service.js';
import { dumpMysql } from './dump-mysql.js';
import type { DumpContext, StreamedDumpOutcome } from './dump-outcome.js';
import { dumpPostgres } from './dump-postgres.js';
import { findTarget } from '../../config/lookups.js';
import { reachDatabase } from '../databases/reach-database.js';
import { inTargetService } from '../databases/service-facts.js';
import { SNAPSHOT_ARTIFACT, snapshotFiles } from './snapshot-files.js';
import { sealOutcome } from '../encryption/seal-dump.js';

/**
 * Dump one target into a private partial directory, write its manifest, and rename it into place.
 * A retry starts from scratch in a new partial directory; a retry after a completed rename
 * returns the existing backup instead of making a second one. Another run that got the same
 * second's stamp (it started as the first one ended) fails instead: it must not pass that backup off
 * as one it made. A reset of the run that made it is that run again, and adopts it.
 */
export interface DumpTargetInput {
  target: string;
  stamp: string;
  trigger?: BackupTrigger;
  /** Names the backup and holds it from retention for keepDays (a deploy's pre-migration backup). */
  tag?: { name: string; keepDays: number };
  /**
   * The run that makes the backup: the target run's first execution run id, which a reset of that
   * run keeps, so the reset run adopts the backup its earlier self made. Absent in runs started
   * before it was passed: the activity's own run id.
   */
  run?: string;
}

export async function dumpTarget(config: OpsConfig, repository: BackupRepository, input: DumpTargetInput): Promise<DumpResult> {
  const target = findTarget(config, input.target);
  const id = backupId(target.name, input.stamp);
  const run = input.run ?? Context.current().info.workflowExecution?.runId;
  const existing = await repository.get(id).catch(() => undefined);
  if (existing) {
    // Manifests written before runs were recorded are adopted as before.
    if (existing.manifest.madeByRun === undefined || existing.manifest.madeByRun === run) return summarize(existing.manifest);
    throw new PreconditionFailed(`backup ${id} already exists, made by another run that started in the same second: nothing was dumped; run the backup again`);
  }

  await repository.removePartials(target.name);
  const partialDir = await repository.startPartial(target.name, input.stamp, Context.current().info.attempt);
  const startedAt = new Date();
  try {
    const dumped = await withHeartbeat((heartbeat) => {
      const context: DumpContext = {
        partialDir,
        cancelSignal: heartbeat.cancelSignal,
        onProgress: (bytes) => heartbeat.progress({ bytes }),
        unreachableRetryMs: config.backup.unreachableRetryMinutes * 60_000,
        encryptTo: config.backup.encryption?.recipients,
        stateDir: config.stateDir,
      };
      return runDumper(config, repository, target.name, context);
    });
    // With encryption on, what names tables is sealed beside the ciphertext; the manifest keeps ids, sizes and hashes.
    const outcome = await sealOutcome(dumped, partialDir, config.backup.encryption?.recipients);
    const manifest: BackupManifest = {
      formatVersion: 1,
      id,
      target: target.name,
      kind: target.kind,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...outcome,
      ...(input.trigger ? { trigger: input.trigger } : {}),
      ...(run !== undefined ? { madeByRun: run } : {}),
      ...(input.tag ? { tag: { name: input.tag.name, keepUntil: new Date(startedAt.getTime() + input.tag.keepDays * 86_400_000).toISOString() } } : {}),
    };
    await repository.commit(partialDir, manifest);
    return summarize(manifest);
  } catch (err) {
    await rm(partialDir, { recursive: true, force: true });
    throw namingTarget(err, target.name);
  }
}

/**
 * Drivers and tools name a server, a file or a command, never the target; the run's failure
 * message and report list one line per failed target, and that line must say which one.
 */
function namingTarget(err: unknown, name: string): unknown {
  if (err instanceof Error && !err.message.startsWith(`${name}: `)) err.message = `${name}: ${err.message}`;
  return err;
}

async function runDumper(config: OpsConfig, repository: BackupRepository, name: string, context: DumpContext): Promise<StreamedDumpOutcome> {
  const target = findTarget(config, name);
  if (isDatabase(target)) {
    const reachedThrough = describeReach(target);
    const exec = target.exec;
    const outcome = exec
      ? inTargetService(target, () =>
          target.kind === 'postgres'
            ? dumpPostgresInService(target, exec, config.ssh, context)
            : dumpMysqlInService(target, exec, config.ssh, config.backup.mysqlCompression, context),
        )
      : reachDatabase(target, config.ssh, { windowMs: context.unreachableRetryMs, cancelSignal: context.cancelSignal }, (reached) =>
          reached.kind === 'postgres' ? dumpPostgres(reached, context) : dumpMysql(reached, config.backup.mysqlCompression, context),
        );
    return { ...(await outcome), ...(reachedThrough ? { reachedThrough } : {}) };
  }
  const previous = (await repository.list(target.name)).at(-1);
  // A sealed previous snapshot is one archive: nothing in it to hard-link to.
  const linkDest = previous?.manifest.artifact === SNAPSHOT_ARTIFACT ? join(previous.dir, SNAPSHOT_ARTIFACT) : undefined;
  return snapshotFiles(target, config.ssh, linkDest, context);
}

function summarize(manifest: BackupManifest): DumpResult {
  return {
    backupId: manifest.id,
    bytes: manifest.bytes,
    sha256: manifest.sha256,
    durationSeconds: (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000,
  };
}
