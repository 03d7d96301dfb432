import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillWorkDir } from '../../src/activities/drill/drill-activities.js';
import { DrillStore } from '../../src/records/drill-store.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { compareRestoreDuration } from '../../src/core/drill-selection.js';
import { formatDuration } from '../../src/core/format.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { leftoverVerifyDatabases } from '../support/verify-databases.js';

/** The drill restores from the OFFSITE copy (over real ssh here), into a scratch database, with every check. Failures: restore-drill-alerts.test.ts. */
describe('restoreDrill', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'ssh' });
    worker = await startTestWorker(fixture.config);
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{}] });
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const drill = (args: Parameters<typeof restoreDrill>[0]) =>
    worker.client.workflow.execute(restoreDrill, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('drill'), args: [args] });

  it.each(['postgres', 'mysql', 'files'] as const)('a %s backup restored from the offsite copy passes every check, is recorded, and leaves nothing behind', async (kind) => {
    const target = fixture.targets[kind];
    const record = await drill({ target, pick: 'latest' });
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    expect(record).toMatchObject({ target, backupId: backup!.id, status: 'passed', reasons: [] });
    expect(record.restoreSeconds).toBeGreaterThanOrEqual(0);
    // The first drill of the target: nothing to compare with yet.
    expect(record.rto).toEqual({ medianPrevious: null, ratio: null, slower: false });
    expect((await new DrillStore(fixture.config.repository).list()).map((d) => d.id)).toContain(record.id);
    expect(readFileSync(join(fixture.config.reports, 'drill-report-latest.md'), 'utf8')).toContain(`# Restore drill ${target}: PASSED`);
    expect(existsSync(drillWorkDir(fixture.config, record.id))).toBe(false);
    expect(await leftoverVerifyDatabases(fixture.id)).toEqual([]);
  });

  it('a second drill of a target measures its restore time against the earlier drills of that target', async () => {
    const target = fixture.targets.postgres;
    const drills = new DrillStore(fixture.config.repository);
    const first = await drill({ target, pick: 'latest' });
    const earlier = (await drills.list()).filter((d) => d.target === target && d.status === 'passed');
    expect(earlier.map((d) => d.id)).toContain(first.id);

    const second = await drill({ target, pick: 'latest' });
    expect(second.status).toBe('passed');
    expect(second.rto).toEqual(compareRestoreDuration(second.restoreSeconds!, earlier.map((d) => d.restoreSeconds!)));
    expect(second.rto!.medianPrevious).not.toBeNull();
    expect((await drills.list()).find((d) => d.id === second.id)?.rto).toEqual(second.rto);
    const report = readFileSync(join(fixture.config.reports, 'drill-report-latest.md'), 'utf8');
    expect(report).toContain(`- Earlier drills' median: ${formatDuration(second.rto!.medianPrevious!)}`);
    expect(report).toContain(`| \`${first.backupId}\` | passed | ${formatDuration(first.restoreSeconds!)} |`);
    expect(await leftoverVerifyDatabases(fixture.id)).toEqual([]);
  });
});
