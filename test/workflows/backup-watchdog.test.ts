import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULE_RUNS_FILE } from '../../src/records/schedule-run-store.js';
import type { StoredRunCounts } from '../../src/core/missed-runs.js';
import { backupWatchdog } from '../../src/workflows/backup-watchdog.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { makeScheduleWorld, type ScheduleWorld } from '../support/schedule-world.js';
import { alertingTo } from '../support/slack-alert-fixture.js';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The watchdog does not depend on the chain having run: with no dump at all it raises the RPO
 * alert per target (to a real local HTTP receiver standing in for Slack), once per rate-limit window.
 */
describe('backupWatchdog', () => {
  let receiver: SlackReceiver;
  let fixture: BackupFixture;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startSlackReceiver();
    fixture = await makeBackupFixture(alertingTo(receiver, { offsite: 'local', edit: (doc) => { doc.notify.rateLimitMinutes = 5; } }));
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
    await receiver?.close();
  });

  const watchdog = () => worker.client.workflow.execute(backupWatchdog, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('watchdog'), args: [] });

  it('alerts "no backup yet" for every target when the chain never ran, and only once within the rate limit', async () => {
    expect(await watchdog()).toEqual({ health: 'FAIL', alerts: 3 });
    expect(receiver.messages.map((m) => m.text).sort()).toEqual(
      fixture.config.targets.map((t) => `:rotating_light: RPO exceeded: ${t.name} — no backup yet`).sort(),
    );
    for (const message of receiver.messages) expect(message.text).not.toContain(fixture.env.PG_READER_PASSWORD);

    expect(await watchdog()).toEqual({ health: 'FAIL', alerts: 3 });
    expect(receiver.messages).toHaveLength(3);
  });

  it('is quiet once every target has a fresh verified backup', async () => {
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{}] });
    const before = receiver.messages.length;
    expect(await watchdog()).toEqual({ health: 'OK', alerts: 0 });
    expect(receiver.messages).toHaveLength(before);
  });
});

/**
 * Missed scheduled runs, on real schedules: a schedule every second whose first run never finishes
 * (it waits on a task queue no worker polls), so with overlap SKIP every later action is skipped.
 */
describe('backupWatchdog and missed scheduled runs', () => {
  const UI = 'http://127.0.0.1:8233';
  let receiver: SlackReceiver;
  let fixture: BackupFixture;
  let world: ScheduleWorld;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startSlackReceiver();
    fixture = await makeBackupFixture(alertingTo(receiver, { offsite: 'local', edit: (doc) => { doc.notify.rateLimitMinutes = 5; } }));
    world = await makeScheduleWorld();
    worker = await startTestWorker(fixture.config, { uiUrl: UI });
  });
  afterAll(async () => {
    await world?.cleanup();
    await worker?.stop();
    await fixture?.cleanup();
    await receiver?.close();
  });

  const blockedSchedule = async (name: string, owner: string): Promise<string> => {
    const id = world.id(name);
    await world.client.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: 'nightlyBackup', taskQueue: world.taskQueue(`${name}-nobody-polls`), workflowId: id, args: [{}] },
      policies: { overlap: 'SKIP' },
      memo: { managedBy: 'ops', taskQueue: owner },
    });
    return id;
  };
  const skipped = async (id: string) => (await world.client.schedule.getHandle(id).describe()).info.numActionsSkippedOverlap;
  const storedCounts = async (): Promise<StoredRunCounts> => JSON.parse(await readFile(join(fixture.config.stateDir, SCHEDULE_RUNS_FILE), 'utf8'));
  const watchdog = async () => {
    const handle = await worker.client.workflow.start(backupWatchdog, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('watchdog'), args: [] });
    const result = await handle.result();
    return { result, link: `${UI}/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history` };
  };

  it('records the counters first, then alerts once per own schedule that skipped runs since, linking every alert to the watchdog run', async () => {
    const blocked = await blockedSchedule('blocked', worker.taskQueue);
    const pausedLater = await blockedSchedule('paused-later', worker.taskQueue);
    const foreign = await blockedSchedule('foreign', world.taskQueue('another-installation'));
    await waitFor('the schedules to be listed and skipping', async () => {
      const listed = new Set<string>();
      for await (const summary of world.client.schedule.list()) listed.add(summary.scheduleId);
      return [blocked, pausedLater, foreign].every((id) => listed.has(id)) && (await skipped(blocked)) > 0 && (await skipped(pausedLater)) > 0;
    }, 30_000, 250);

    const first = await watchdog();
    expect(first.result).toEqual({ health: 'FAIL', alerts: 3 });
    expect(receiver.messages.map((m) => m.text).sort()).toEqual(
      fixture.config.targets.map((t) => `:rotating_light: RPO exceeded: ${t.name} — no backup yet <${first.link}|run>`).sort(),
    );
    const recorded = await storedCounts();
    expect(Object.keys(recorded)).toEqual(expect.arrayContaining([blocked, pausedLater]));
    expect(recorded).not.toHaveProperty(foreign);

    await waitFor('more skipped runs', async () => (await skipped(blocked)) >= recorded[blocked]!.skippedOverlap + 2 && (await skipped(pausedLater)) > recorded[pausedLater]!.skippedOverlap, 30_000, 250);
    await world.client.schedule.getHandle(pausedLater).pause('a paused schedule is not a miss');
    const second = await watchdog();
    expect(second.result).toEqual({ health: 'FAIL', alerts: 4 });

    const now = await storedCounts();
    const grown = now[blocked]!.skippedOverlap - recorded[blocked]!.skippedOverlap;
    expect(now[blocked]!.missedCatchupWindow).toBe(recorded[blocked]!.missedCatchupWindow);
    // The RPO alerts of the second run are within their rate limit: only the missed-run alert is new.
    expect(receiver.messages.slice(3).map((m) => m.text)).toEqual([
      `:alarm_clock: Schedule missed: ${blocked} — ${grown} runs skipped because the previous run was still running (overlap SKIP) <${second.link}|run>`,
    ]);
    expect(now[pausedLater]!.skippedOverlap).toBeGreaterThan(recorded[pausedLater]!.skippedOverlap);
  });
});
