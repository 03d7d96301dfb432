import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import type { DrillPick } from '../../contracts/drill.js';
import type { DrillRecord } from '../../core/backup-health.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { compareRestoreDuration, pickBackupForDrill } from '../../core/drill-selection.js';
import { PreconditionFailed } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import { fetchOffsiteCopy } from '../offsite/fetch-copy.js';
import { BackupRepository } from '../../records/backup-repository.js';
import { restoreAndCheck } from '../verify/restore-and-check.js';
import { recordedFindings } from '../encryption/seal-findings.js';
import { DrillStore } from '../../records/drill-store.js';
import { writeDrillReport } from './drill-report.js';

/** The restore drill's activities: pick a backup, fetch it FROM THE OFFSITE COPY, restore and check it, record. */
export function createDrillActivities(config: OpsConfig) {
  const repository = new BackupRepository(config.repository);
  const drills = new DrillStore(config.repository);
  // On the repository host, not in this worker's state dir: the fetch and the restore may run on
  // two workers, and both hold the repository (the backup role runs where it is).
  const workDir = (drillId: string) => drillWorkDir(config, drillId);

  return {
    /** `none` says why no backup qualifies (none in the window, none copied offsite): the drill records that as its FAIL. */
    async pickDrillBackup(input: { target?: string; pick: 'random' | 'latest'; windowDays: number; randomValue: number }): Promise<DrillPick | { none: string }> {
      const picked = pickBackupForDrill(await repository.list(input.target), {
        ...(input.target ? { target: input.target } : {}),
        pick: input.pick,
        windowDays: input.windowDays,
        now: new Date(),
        random: () => input.randomValue,
        timeZone: config.timeZone,
      });
      if ('none' in picked) return picked;
      return { backupId: picked.entry.id, target: picked.entry.target };
    },

    /**
     * The backup back from offsite into a private work dir: the drill proves that copy restores.
     * From `from` when given, else from the first configured destination that has the copy.
     */
    async fetchOffsiteCopy(input: { backupId: string; drillId: string; from?: string }): Promise<FetchedDrillCopy> {
      if (config.backup.offsite.length === 0) throw new PreconditionFailed('restore drill needs backup.offsite: it restores from the offsite copy');
      const dir = workDir(input.drillId);
      const { manifest, from } = await withHeartbeat(({ cancelSignal }) => fetchOffsiteCopy(config, { backupId: input.backupId, dir, ...(input.from !== undefined ? { from: input.from } : {}) }, cancelSignal));
      return { dir, from, bytes: manifest.bytes, sha256: manifest.sha256 };
    },

    /** The fetched copy, found by the drill's id; its manifest is read here, so history never carries it. */
    async restoreDrillCopy(input: { backupId: string; drillId: string }) {
      const dir = workDir(input.drillId);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
      if (manifest.id !== input.backupId) throw new PreconditionFailed(`the drill's copy in ${dir} holds the manifest of ${manifest.id}, not ${input.backupId}`);
      const outcome = await withHeartbeat(({ cancelSignal }) => restoreAndCheck(config, manifest, dir, cancelSignal));
      if (!manifest.encryption) return outcome;
      // Returned into the drill's history, record, report and alerts: an encrypted backup's findings by counts alone, its verdicts (one per table) left out.
      const { checks: _checks, counted: _counted, countedChecks: _countedChecks, ...told } = outcome;
      return { ...told, ...(await recordedFindings(manifest, outcome, config.backup.encryption?.recipients, await drills.sealedFindingsPath(input.drillId))) };
    },

    /** RTO against earlier drills of the same target. */
    async compareWithEarlierDrills(input: { target: string; restoreSeconds: number }) {
      const earlier = (await drills.list()).filter((d) => d.target === input.target && d.status === 'passed' && d.restoreSeconds !== undefined);
      return compareRestoreDuration(input.restoreSeconds, earlier.map((d) => d.restoreSeconds!));
    },

    async recordDrill(record: DrillRecord): Promise<{ report: string }> {
      await drills.write(record);
      return writeDrillReport(config, record, await drills.list());
    },

    async removeDrillWorkDir(input: { drillId: string }): Promise<void> {
      await rm(workDir(input.drillId), { recursive: true, force: true });
    },
  };
}

/** What history keeps of a fetched copy: where it is on the repository host, its size and checksum. */
export interface FetchedDrillCopy {
  dir: string;
  from: string;
  bytes: number;
  sha256: string;
}

export function drillWorkDir(config: OpsConfig, drillId: string): string {
  return join(config.repository, '.drill-work', drillId);
}

export type DrillActivities = ReturnType<typeof createDrillActivities>;
