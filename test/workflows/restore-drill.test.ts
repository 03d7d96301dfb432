import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillStore } from '../../src/activities/drill/drill-store.js';
import { BackupRepository } from '../../src/activities/repository/backup-repository.js';
import { innermostMessage } from '../../src/workflows/progress.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** The drill restores from the OFFSITE copy (over real ssh here), into a scratch database, with every check. */
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

  it.each(['postgres', 'mysql', 'files'] as const)('a %s backup restored from the offsite copy passes every check and is recorded', async (kind) => {
    const target = fixture.config.targets.find((t) => t.kind === kind)!.name;
    const record = await drill({ target, pick: 'latest' });
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    expect(record).toMatchObject({ target, backupId: backup!.id, status: 'passed', reasons: [] });
    expect(record.restoreSeconds).toBeGreaterThanOrEqual(0);
    expect((await new DrillStore(fixture.config.repository).list()).map((d) => d.id)).toContain(record.id);
    expect(readFileSync(join(fixture.config.reports, 'drill-report-latest.md'), 'utf8')).toContain(`# Restore drill ${target}: PASSED`);
    expect(existsSync(join(fixture.config.stateDir, 'drills', record.id))).toBe(false);
  });

  it('fails when the offsite copy is damaged, even though the local copy is fine', async () => {
    const target = fixture.config.targets.find((t) => t.kind === 'postgres')!.name;
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    const offsiteArtifact = join(fixture.offsiteDir, target, backup!.stamp, backup!.manifest.artifact);
    const bytes = readFileSync(offsiteArtifact);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(offsiteArtifact, bytes);

    const failure = await drill({ target, pick: 'latest' }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(innermostMessage(failure)).toMatch(new RegExp(`restore drill of ${backup!.id} failed: checksum mismatch`));
    const records = await new DrillStore(fixture.config.repository).list();
    expect(records.at(-1)).toMatchObject({ target, status: 'failed' });
    expect(readdirSync(join(fixture.config.stateDir, 'drills'))).toEqual([]);
  });

  it('fails clearly when no backup qualifies in the window', async () => {
    const failure = await drill({ target: fixture.config.targets[0]!.name, pick: 'random', windowDays: 1e-9 }).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(innermostMessage(failure)).toMatch(/^restore drill: no backups of \S+ in the last 1e-9 days \(newest finished /);
  });
});
