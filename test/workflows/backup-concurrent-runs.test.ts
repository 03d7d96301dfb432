import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunHistory } from '../../src/activities/repository/run-history.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { backupWorldForTest, namesIn, runNightly, runNightlyExpectingFailure } from '../support/backup-world.js';
import { onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';

describe('two runs backing up the same target at once', () => {
  it('the second fails that target at once, naming the running backup; the first is untouched and completes with a verified backup', async () => {
    const world = await backupWorldForTest({ edit: onlyPostgresTarget });
    const { worker, repository, fixture } = world;
    const { postgres } = fixture.targets;
    const targetDir = join(fixture.config.repository, postgres);
    const lockId = workflowIds.backupTarget(postgres);

    // The first run's dump waits on a table lock: it stays in progress, its partial on disk, until released.
    const release = await holdTableLock(fixture.pgDatabase, 'companies');
    const first = await worker.client.workflow.start(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{}] });
    let partial = '';
    await waitFor('the first run’s partial dump', async () => {
      partial = (await namesIn(targetDir)).find((name) => name.startsWith('.partial-')) ?? '';
      return partial !== '';
    }, 60_000);

    const second = await runNightlyExpectingFailure(world, { targets: [postgres] });
    const running = `backup of ${postgres} is already running: ${lockId}`;
    expect(second.failure.type).toBe('BackupFailed');
    expect(second.failure.nonRetryable).toBe(true);
    expect(second.failure.message).toBe(`1 of 1 failed: ${running}`);
    expect(second.failure.details?.[0]).toMatchObject({ targets: [{ target: postgres, error: running }] });
    // The second run started no child of the target, so it swept nothing of the first.
    expect(existsSync(join(targetDir, partial))).toBe(true);
    expect((await worker.client.workflow.getHandle(lockId).describe()).status.name).toBe('RUNNING');

    await release();
    const result = await first.result();
    expect(result.targets).toEqual([{ target: postgres, backupId: expect.stringMatching(new RegExp(`^${postgres}-`)) }]);
    const entries = await repository.list(postgres);
    expect(entries.map((e) => [e.id, e.verify?.status])).toEqual([[result.targets[0]!.backupId, 'passed']]);
    expect(await namesIn(targetDir)).toEqual([entries[0]!.stamp]);
    const [dump, ...more] = await activityRuns(worker.client, lockId, 'dumpTarget');
    expect(more).toEqual([]);
    expect([dump!.outcome, dump!.attempt]).toEqual(['completed', 1]);
    // Only the first run is in the target's history: the refused one was no backup attempt.
    expect((await new RunHistory(fixture.config.repository).list([postgres])).map((r) => [r.dump, r.verify])).toEqual([['ok', 'passed']]);

    // Once the first has ended, the target's id is free for the next run.
    const third = await runNightly(world);
    expect(third.result.targets).toEqual([{ target: postgres, backupId: expect.any(String) }]);
    // Same day, both verified: the daily slot keeps the newer one.
    expect((await repository.list(postgres)).map((e) => e.id)).toEqual([third.result.targets[0]!.backupId]);
    expect(third.result.targets[0]!.backupId).not.toBe(result.targets[0]!.backupId);
  });
});
