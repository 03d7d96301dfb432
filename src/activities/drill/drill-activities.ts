import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { rsyncPull } from '../../commands/rsync.js';
import type { OpsConfig } from '../../config/load-config.js';
import { joinPath } from '../../config/location.js';
import { parseBackupId } from '../../core/backup-id.js';
import type { DrillRecord } from '../../core/backup-health.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { compareRestoreDuration, pickBackupForDrill } from '../../core/drill-selection.js';
import { PreconditionFailed } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import { runCommand } from '../process/run-command.js';
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

    /** rsync the backup back from the offsite destination into a private work dir: the drill proves that copy restores. */
    async fetchOffsiteCopy(input: { backupId: string; drillId: string }): Promise<{ dir: string; manifest: BackupManifest }> {
      const dest = config.backup.offsite;
      if (!dest) throw new PreconditionFailed('restore drill needs backup.offsite: it restores from the offsite copy');
      const { target, stamp } = parseBackupId(input.backupId);
      const dir = workDir(input.drillId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await withHeartbeat(({ cancelSignal }) =>
        runCommand(rsyncPull({ source: dest, subPath: joinPath(target, stamp), destDir: dir, ssh: config.ssh }), { cancelSignal }),
      );
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
      return { dir, manifest };
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
