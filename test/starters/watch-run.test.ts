import { createHook } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunFailed } from '../../src/starters/exit-codes.js';
import { watchRun } from '../../src/starters/watch-run.js';
import type { RestoreRecord } from '../../src/core/restore-report.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import type { StepProgress } from '../../src/workflows/progress.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { dropRestoredDatabases, targetsAsAdmin } from '../support/restored-databases.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** Timers of exactly `ms` created while tracking and neither fired nor cleared yet. */
function trackTimers(ms: number): { pending: () => number; stop: () => void } {
  const live = new Set<number>();
  const hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (type === 'Timeout' && (resource as { _idleTimeout?: number })._idleTimeout === ms) live.add(id);
    },
    destroy: (id) => live.delete(id),
  }).enable();
  return { pending: () => live.size, stop: () => hook.disable() };
}

/** `--wait`'s loop on a real run: the CLI's process must be free to exit the moment the run has ended. */
describe('watchRun', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none', edit: targetsAsAdmin });
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    await worker?.stop();
    if (fixture) await dropRestoredDatabases('postgres', fixture.id);
    await fixture?.cleanup();
  });

  it('leaves no poll timer pending once the run has ended', async () => {
    // A target without backups: the run fails at its pick, well inside the first poll interval.
    const handle = await worker.client.workflow.start(restoreBackup, {
      taskQueue: worker.taskQueue,
      workflowId: worker.workflowId('watch'),
      args: [{ target: fixture.targets.postgres, pick: { latest: true } }],
    });
    const timers = trackTimers(120_000);
    const lines: string[] = [];
    try {
      await expect(watchRun(handle, { write: (line) => lines.push(line), intervalMs: 120_000 })).rejects.toThrow(RunFailed);
      // A cleared timer is destroyed on a later turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.some((line) => /pick\s+failed/.test(line))).toBe(true);
      expect(timers.pending()).toBe(0);
    } finally {
      timers.stop();
    }
  });

  it('shows the last steps from a result that carries them, with no query of the closed run', async () => {
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres] }] });
    const handle = await worker.client.workflow.start(restoreBackup, {
      taskQueue: worker.taskQueue,
      workflowId: worker.workflowId('watch'),
      args: [{ target: fixture.targets.postgres, pick: { latest: true } }],
    });
    let ended = false;
    let queriesAfterEnd = 0;
    const counted = Object.assign(Object.create(handle) as typeof handle, {
      result: () => handle.result().finally(() => (ended = true)),
      query: (...args: Parameters<typeof handle.query>) => {
        if (ended) queriesAfterEnd++;
        return handle.query(...args);
      },
    });
    const lines: string[] = [];
    const record = await watchRun<RestoreRecord & { steps: StepProgress[] }>(counted, { write: (line) => lines.push(line), intervalMs: 120_000, finalSteps: (run) => run.steps });
    expect(record.status).toBe('passed');
    expect(queriesAfterEnd).toBe(0);
    for (const step of ['restore and check', 'report']) expect(lines.some((line) => new RegExp(`${step}\\s+done`).test(line))).toBe(true);
  });
});
