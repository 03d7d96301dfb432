import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { parseBackupId } from '../../core/backup-id.js';
import type { DrillRecord } from '../../core/backup-health.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { compareRestoreDuration, pickBackupForDrill } from '../../core/drill-selection.js';
import { PreconditionFailed } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import { offsiteStoreNamed } from '../offsite/offsite-store.js';
import { firstStoreWithCopy } from '../offsite/first-store-with-copy.js';
import { BackupRepository } from '../repository/backup-repository.js';
import { restoreAndCheck } from '../verify/restore-and-check.js';
import { DrillStore } from './drill-store.js';
import { writeDrillReport } from './drill-report.js';

export interface DrillPick {
  backupId: string;
  target: string;
}

/** The restore drill's activities: pick a backup, fetch it FROM THE OFFSITE COPY, restore and check it, record. */
export function createDrillActivities(config: OpsConfig) {
  const repository = new BackupRepository(config.repository);
  const drills = new DrillStore(config.repository);
  const workDir = (drillId: string) => join(config.stateDir, 'drills', drillId);

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
    async fetchOffsiteCopy(input: { backupId: string; drillId: string; from?: string }): Promise<{ dir: string; manifest: BackupManifest; from: string }> {
      if (config.backup.offsite.length === 0) throw new PreconditionFailed('restore drill needs backup.offsite: it restores from the offsite copy');
      const { target, stamp } = parseBackupId(input.backupId);
      const store = input.from !== undefined ? await offsiteStoreNamed(config, input.from) : await firstStoreWithCopy(config, target, stamp);
      const dir = workDir(input.drillId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await withHeartbeat(({ cancelSignal }) => store.fetch(target, stamp, dir, cancelSignal));
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
      return { dir, manifest, from: store.name };
    },

    async restoreDrillCopy(input: { dir: string; manifest: BackupManifest }) {
      return withHeartbeat(({ cancelSignal }) => restoreAndCheck(config, input.manifest, input.dir, cancelSignal));
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

export type DrillActivities = ReturnType<typeof createDrillActivities>;
