import { createHook } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunFailed } from '../../src/starters/exit-codes.js';
import { watchRun } from '../../src/starters/watch-run.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
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
    fixture = await makeBackupFixture({ offsite: 'none' });
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    await worker?.stop();
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
});
