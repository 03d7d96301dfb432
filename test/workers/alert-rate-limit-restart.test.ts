import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_STATE_FILE } from '../../src/activities/notify/send-alert.js';
import type { AlertState } from '../../src/core/alert-rules.js';
import { backupWatchdog } from '../../src/workflows/backup-watchdog.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { testServers } from '../support/servers.js';
import { alertingTo, onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/**
 * The alert rate limit lives in <stateDir>/alert-state.json, not in the worker's memory: a
 * worker killed with SIGKILL and replaced by a new `ops worker` process on the same state dir
 * still holds back the repeat. Alerts go over HTTP to a local receiver standing in for Slack.
 */
describe('the alert rate limit across a worker restart', () => {
  let receiver: SlackReceiver;
  let fixture: BackupFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    receiver = await startSlackReceiver();
    // One target whose dump always fails: the watchdog finds no backup of it (RPO), the chain fails to dump it.
    fixture = await makeBackupFixture(
      alertingTo(receiver, {
        offsite: 'none',
        env: { PG_WRONG_PASSWORD: `wrong-${randomBytes(4).toString('hex')}` },
        edit: (doc) => {
          onlyPostgresTarget(doc);
          doc.databases[0].password = '${PG_WRONG_PASSWORD}';
        },
      }),
    );
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    // Worker processes run detached from vitest: kill them here whatever happened in the test.
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await fixture?.cleanup();
    await receiver?.close();
  });

  it('a new worker process does not repeat an alert the killed one sent; another event key still goes out', async () => {
    const client = new Client({ connection: connection! });
    const taskQueue = `alert-restart-${randomBytes(4).toString('hex')}`;
    const target = fixture.targets.postgres;
    const rpoKey = `rpo-exceeded:${target}`;
    const stateFile = join(fixture.config.stateDir, ALERT_STATE_FILE);
    const alertState = async () => JSON.parse(await readFile(stateFile, 'utf8')) as AlertState;
    const startWorker = async () => {
      const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
      workers.push(worker);
      return worker;
    };
    const runWatchdog = async () => {
      const workflowId = `watchdog-${randomBytes(4).toString('hex')}`;
      const result = await client.workflow.execute(backupWatchdog, { taskQueue, workflowId, args: [] });
      return { workflowId, result };
    };
    const rpoAlert = `:rotating_light: RPO exceeded: ${target} — no backup yet`;

    const first = await startWorker();
    expect((await runWatchdog()).result).toEqual({ health: 'FAIL', alerts: 1 });
    expect(receiver.messages.map((m) => m.text)).toEqual([rpoAlert]);
    const sent = await alertState();
    expect(sent).toEqual({ [rpoKey]: { lastSentAt: expect.any(String), suppressed: 0 } });

    await first.kill();
    await startWorker();

    const again = await runWatchdog();
    expect(again.result).toEqual({ health: 'FAIL', alerts: 1 });
    // The new process raised the alert and its activity completed, but Slack heard nothing more.
    expect(await activityRuns(client, again.workflowId, 'sendAlert')).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
    expect(receiver.messages.map((m) => m.text)).toEqual([rpoAlert]);
    expect(await alertState()).toEqual({ [rpoKey]: { lastSentAt: sent[rpoKey]!.lastSentAt, suppressed: 1 } });

    // The chain fails to dump the target: "backup failed" is a key of its own and goes out; the RPO repeat does not.
    const chain = client.workflow.execute(nightlyBackup, { taskQueue, workflowId: `nightly-${randomBytes(4).toString('hex')}`, args: [{}] });
    await expect(chain).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(receiver.messages).toHaveLength(2);
    expect(receiver.messages[1]!.text).toMatch(new RegExp(`^:rotating_light: Backup failed: ${target} — ${target}: .*password authentication failed`));
    expect(await alertState()).toEqual({
      [rpoKey]: { lastSentAt: sent[rpoKey]!.lastSentAt, suppressed: 2 },
      [`backup-failed:${target}`]: { lastSentAt: expect.any(String), suppressed: 0 },
    });
    for (const { text } of receiver.messages) expect(text).not.toContain(fixture.env.PG_WRONG_PASSWORD);
  }, 180_000);
});
