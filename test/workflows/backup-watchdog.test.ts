import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupWatchdog } from '../../src/workflows/backup-watchdog.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

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
    fixture = await makeBackupFixture({
      offsite: 'local',
      env: { SLACK_WEBHOOK_URL: receiver.url },
      edit: (doc) => {
        doc.notify = { slack: { webhookUrl: '${SLACK_WEBHOOK_URL}' }, rateLimitMinutes: 5 };
      },
    });
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
