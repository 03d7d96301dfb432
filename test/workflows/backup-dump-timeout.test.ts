import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { msToNumber, tsToMs } from '@temporalio/common/lib/time.js';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { longSteps } from '../../src/workflows/activity-options.js';
import { activityRuns } from '../support/activity-history.js';
import { backupWorldForTest, namesIn, runNightly, runNightlyExpectingFailure, type BackupWorld } from '../support/backup-world.js';
import { onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';

/** The time limit each attempt of an activity was scheduled with, by activity type, from the target's child workflow history. */
async function scheduledLimits(world: BackupWorld, target: string): Promise<Record<string, number>> {
  const history = await world.worker.client.workflow.getHandle(workflowIds.backupTarget(target)).fetchHistory();
  const limits: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) limits[scheduled.activityType!.name!] = tsToMs(scheduled.startToCloseTimeout);
  }
  return limits;
}

const pgDumpRunningFor = async (database: string) => (await execa('pgrep', ['-f', `pg_dump .*--dbname=${database}`], { reject: false })).exitCode === 0;

describe('backup.dumpTimeoutMinutes', () => {
  it('is the dump step’s time limit; the other long steps keep theirs', async () => {
    const world = await backupWorldForTest({ edit: (doc) => { onlyPostgresTarget(doc); doc.backup.dumpTimeoutMinutes = 7; } });
    const { postgres } = world.fixture.targets;
    await runNightly(world);

    const limits = await scheduledLimits(world, postgres);
    expect(limits.dumpTarget).toBe(7 * 60_000);
    expect(limits.verifyBackup).toBe(msToNumber(longSteps.startToCloseTimeout!));
  });

  it('a dump that takes longer times out on every attempt, the run fails naming the target, and nothing of it is left', async () => {
    const world = await backupWorldForTest({ edit: (doc) => { onlyPostgresTarget(doc); doc.backup.dumpTimeoutMinutes = 0.05; } });
    const { postgres } = world.fixture.targets;
    const release = await holdTableLock(world.fixture.pgDatabase, 'companies');

    const { failure } = await runNightlyExpectingFailure(world);

    expect(failure.message).toBe(`1 of 1 failed: ${postgres}: activity StartToClose timeout`);
    const [dump, ...more] = await activityRuns(world.worker.client, workflowIds.backupTarget(postgres), 'dumpTarget');
    expect(more).toEqual([]);
    expect(dump).toMatchObject({ outcome: 'timed out', attempt: longSteps.retry!.maximumAttempts, failure: { type: 'timeout START_TO_CLOSE' } });
    expect((await scheduledLimits(world, postgres)).dumpTarget).toBe(3_000);

    // A timed-out attempt is cancelled on the worker: pg_dump is killed and its partial removed, so
    // releasing the lock does not let a late dump turn into a backup.
    await waitFor('pg_dump to end', async () => !(await pgDumpRunningFor(world.fixture.pgDatabase)), 30_000);
    await release();
    await setTimeout(1000);
    expect(await namesIn(join(world.fixture.config.repository, postgres))).toEqual([]);
  });
});
