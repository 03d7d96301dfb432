import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANUAL_RUN_SUFFIX } from '../../src/core/backup-id.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { backupWorldForTest, namesIn, runNightly, type BackupWorld } from '../support/backup-world.js';

/** The chain as `ops backup` starts it: its run id ends in -manual. */
async function runManual(world: BackupWorld) {
  const { client, taskQueue, workflowId } = world.worker;
  return client.workflow.execute(nightlyBackup, { taskQueue, workflowId: `${workflowId('backup')}${MANUAL_RUN_SUFFIX}`, args: [{}] });
}

describe('retention of manual backups', () => {
  it('a manual backup after the nightly one on the same day leaves both, locally and offsite; the next nightly takes the day', async () => {
    // keepLast 0: only the rule that a manual backup never evicts a scheduled one keeps the nightly.
    const world = await backupWorldForTest({
      offsite: 'local',
      edit: (doc) => {
        doc.databases = [];
        doc.backup.retention = { daily: 7, weekly: 4, monthly: 12, keepLast: 0 };
      },
    });
    const { files } = world.fixture.targets;
    const offsiteNames = async () => (await namesIn(join(world.fixture.offsiteDir, files))).sort();

    const nightly = (await runNightly(world)).result.targets[0]!.backupId!;
    await nextSecond();
    const manualRun = await runManual(world);
    const manual = manualRun.targets[0]!.backupId!;
    expect(manualRun.retention).toEqual([{ target: files, kept: 2, deleted: [], offsiteDeleted: [] }]);
    const entries = await world.repository.list(files);
    expect(entries.map((e) => [e.id, e.manifest.trigger])).toEqual([[nightly, 'scheduled'], [manual, 'manual']]);
    expect(await offsiteNames()).toEqual(entries.map((e) => e.stamp));

    // A later nightly of the same day fills the day's slot; neither earlier backup has one left.
    // Backup ids are per second and a files chain can finish within one: the next run starts in
    // the next second, or its backup would collide with the manual one ("already exists").
    await nextSecond();
    const next = await runNightly(world);
    const newest = next.result.targets[0]!.backupId!;
    expect(next.result.retention).toEqual([{ target: files, kept: 1, deleted: [nightly, manual], offsiteDeleted: [nightly, manual] }]);
    const [kept, ...more] = await world.repository.list(files);
    expect([kept!.id, more]).toEqual([newest, []]);
    expect(await offsiteNames()).toEqual([kept!.stamp]);
  });
});

async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
}
