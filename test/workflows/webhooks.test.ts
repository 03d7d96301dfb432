import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WEBHOOK_FAILURES_FILE } from '../../src/activities/notify/send-webhooks.js';
import { startMetricsServer } from '../../src/workers/metrics-server.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { backupWorldForTest } from '../support/backup-world.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, startDeploy, type OnFinished } from '../support/deploy-world.js';
import { onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { waitFor } from '../support/wait-for.js';
import { startWebhookReceiver, type WebhookReceiverMode } from '../support/webhook-receiver.js';

const SECRET = 'whsec-3f9a1c7e5b2d';
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** notify.webhooks to the receiver, its secret handed in as ${OPS_WEBHOOK_SECRET} (the config may name another one than the receiver checks). */
function webhookTo(url: string, events: string[], configSecret = SECRET) {
  return {
    env: { OPS_WEBHOOK_SECRET: configSecret },
    notify: { rateLimitMinutes: 5, webhooks: [{ url, events, secret: '${OPS_WEBHOOK_SECRET}' }] },
  };
}

async function deployWorldWithWebhook(events: string[], mode: WebhookReceiverMode, onFinished: OnFinished) {
  const receiver = await startWebhookReceiver(SECRET, mode);
  onFinished(() => receiver.close());
  const hook = webhookTo(receiver.url, events);
  const world = await deployWorldForTest({ env: hook.env, edit: (doc) => (doc.notify = hook.notify) }, onFinished);
  return { receiver, world };
}

/**
 * Loses the first completion of `activityType` after the step did its work (its webhooks sent), as a
 * worker dying or a timeout hit just then would: Temporal runs the step again. Records each attempt.
 */
function completionLostOnce(activityType: string, attempts: number[]): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        if (ctx.info.activityType !== activityType) return result;
        attempts.push(ctx.info.attempt);
        if (ctx.info.attempt === 1) throw ApplicationFailure.retryable(`the completion of ${activityType} was lost`);
        return result;
      },
    },
  });
}

describe.concurrent('webhooks tell whoever asked about deploys', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('a deploy that succeeds: deploy.started, then deploy.succeeded with the run link, app, stage, sha, outcome and report; both signed', async ({ onTestFinished }) => {
    const { receiver, world } = await deployWorldWithWebhook(['deploy.started', 'deploy.succeeded', 'deploy.failed'], 'ok', onTestFinished);
    const runUrl = `http://127.0.0.1:8233/namespaces/default/workflows/${world.fixture.app}`;
    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'], runUrl });
    const result = await handle.result();
    await waitFor('two webhook deliveries', () => receiver.requests.length >= 2, 30_000);

    const { runId } = await handle.describe();
    const run = { workflowId: handle.workflowId, runId };
    expect(receiver.requests.map((r) => [r.event, r.verified, r.status])).toEqual([['deploy.started', true, 204], ['deploy.succeeded', true, 204]]);
    expect(receiver.accepted).toEqual([
      { id: UUID, event: 'deploy.started', time: ISO, outcome: 'started', app: world.fixture.app, sha: result.sha, ...run },
      { id: UUID, event: 'deploy.succeeded', time: ISO, outcome: 'succeeded', app: world.fixture.app, stage: 'staging', sha: result.sha, ref: 'main', report: result.report, ...run, runUrl: `${runUrl}/${runId}/history` },
    ]);
    expect(receiver.requests.map((r) => r.delivery)).toEqual(receiver.accepted.map((b) => b.id));
  });

  it('an export Temporal runs twice (its first completion lost): deploy.started is posted twice with one delivery id, which the receiver dedupes on', async ({ onTestFinished }) => {
    const { receiver, world } = await deployWorldWithWebhook(['deploy.started'], 'ok', onTestFinished);
    const attempts: number[] = [];
    const worker = await world.startWorker(world.fixture.config, { activityInterceptors: [completionLostOnce('prepareRelease', attempts)] });
    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] }, worker);
    expect((await handle.result()).outcome).toBe('succeeded');
    await waitFor('both posts of deploy.started', () => receiver.requests.length >= 2, 30_000);

    expect(attempts).toEqual([1, 2]);
    expect(receiver.requests.map((r) => [r.event, r.verified, r.status])).toEqual([['deploy.started', true, 204], ['deploy.started', true, 204]]);
    const deliveries = new Set(receiver.requests.map((r) => r.delivery));
    expect(deliveries.size).toBe(1);
    expect(receiver.accepted.map((b) => b.id)).toEqual([...deliveries, ...deliveries]);
  });

  it('a deploy whose smoke tests fail: deploy.rolled_back naming the stage, the bad sha and the cause; no deploy.succeeded', async ({ onTestFinished }) => {
    const { receiver, world } = await deployWorldWithWebhook(['deploy.succeeded', 'deploy.rolled_back'], 'ok', onTestFinished);
    const good = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
    await waitFor('the good deploy announced', () => receiver.accepted.length === 1, 30_000);
    const bad = await world.fixture.repo.commit('smoke fails', { SMOKE_FAIL: 'forced\n', VERSION: '2.0.0-smoke\n' });

    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    const { outcome, reportPath } = await deployFailure(handle);
    await waitFor('the rollback announced', () => receiver.accepted.length === 2, 30_000);

    expect(outcome).toBe('rolled-back');
    expect(receiver.accepted.map((b) => [b.event, b.sha])).toEqual([['deploy.succeeded', good], ['deploy.rolled_back', bad]]);
    expect(receiver.accepted[1]).toEqual({
      id: UUID, event: 'deploy.rolled_back', time: ISO, outcome: 'rolled-back', app: world.fixture.app, stage: 'staging', sha: bad, ref: 'main',
      report: reportPath, cause: 'smoke tests failed (exit 1)', workflowId: handle.workflowId, runId: (await handle.describe()).runId,
    });
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
  });

  it('a receiver answering 500: each event is retried with backoff and given up, the deploy still succeeds, the failure is logged and counted', async ({ onTestFinished }) => {
    const { receiver, world } = await deployWorldWithWebhook(['deploy.succeeded'], 'fail-500', onTestFinished);
    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');

    const failures = join(world.fixture.config.stateDir, WEBHOOK_FAILURES_FILE);
    await waitFor('the delivery given up', async () => (await readFile(failures, 'utf8').catch(() => '')).length > 0, 60_000);
    // Four attempts, one delivery: the same id and body each time, each freshly signed.
    expect(receiver.requests.map((r) => [r.event, r.verified, r.status])).toEqual(Array(4).fill(['deploy.succeeded', true, 500]));
    expect(new Set(receiver.requests.map((r) => r.delivery)).size).toBe(1);
    const origin = new URL(receiver.url).origin;
    expect((await readFile(failures, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ at: ISO, event: 'deploy.succeeded', webhook: origin, error: 'HTTP 500 (internal error)' }]);
    const metrics = await startMetricsServer(world.fixture.config, 0);
    onTestFinished(() => metrics.close());
    const text = await (await fetch(metrics.url)).text();
    expect(text).toContain(`${world.fixture.config.metrics.prefix}webhook_failures_total{event="deploy.succeeded",webhook="${origin}"} 1`);
  });
});

describe('webhooks tell whoever asked about failed backups', () => {
  const wrongPassword = { PG_WRONG_PASSWORD: 'not-the-password' };
  async function failingBackupWorld(configSecret: string) {
    const receiver = await startWebhookReceiver(SECRET);
    onTestFinished(() => receiver.close());
    const hook = webhookTo(receiver.url, ['backup.failed', 'deploy.failed'], configSecret);
    const world = await backupWorldForTest(
      {
        env: { ...hook.env, ...wrongPassword },
        edit: (doc) => {
          onlyPostgresTarget(doc);
          doc.databases[0].password = '${PG_WRONG_PASSWORD}';
          doc.notify = hook.notify;
        },
      },
      { uiUrl: 'http://127.0.0.1:8233' },
    );
    const workflowId = world.worker.workflowId('nightly');
    const run = world.worker.client.workflow.execute(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [{}] });
    await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
    await waitFor('a webhook request', () => receiver.requests.length > 0, 30_000);
    return { receiver, world, workflowId };
  }

  it('a failed dump: backup.failed naming the target, the failed step, the cause, the report and the run', async () => {
    const { receiver, world, workflowId } = await failingBackupWorld(SECRET);
    const target = world.fixture.targets.postgres;
    const { runId } = await world.worker.client.workflow.getHandle(workflowId).describe();

    expect(receiver.requests.map((r) => [r.event, r.verified, r.status])).toEqual([['backup.failed', true, 204]]);
    expect(receiver.accepted).toEqual([{
      id: UUID, event: 'backup.failed', time: ISO, outcome: 'dump failed', target, report: expect.stringMatching(/\.md$/),
      cause: expect.stringContaining(`${target}: postgres://reader_${world.fixture.id}@`), workflowId, runId,
      runUrl: `http://127.0.0.1:8233/namespaces/default/workflows/${workflowId}/${runId}/history`,
    }]);
    expect(receiver.accepted[0]!.cause).toContain('password authentication failed');
    expect(dirname(receiver.accepted[0]!.report)).toBe(world.fixture.config.reports);
    expect(await readFile(receiver.accepted[0]!.report, 'utf8')).toContain(target);
    expect(JSON.stringify(receiver.accepted)).not.toContain(wrongPassword.PG_WRONG_PASSWORD);
  });

  it('signed with another secret than the receiver holds: the receiver rejects the signature (401), which is not retried', async () => {
    const { receiver } = await failingBackupWorld('not-the-receivers-secret');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.requests.map((r) => [r.event, r.verified, r.status])).toEqual([['backup.failed', false, 401]]);
    expect(receiver.accepted).toEqual([]);
  });
});

describe('webhooks tell whoever asked about drills and restores', () => {
  it('a drill with no backup to drill: drill.failed; a restore with none to restore: restore.done, outcome failed; each with its report', async () => {
    const receiver = await startWebhookReceiver(SECRET);
    onTestFinished(() => receiver.close());
    const hook = webhookTo(receiver.url, ['drill.failed', 'restore.done']);
    const world = await backupWorldForTest({ offsite: 'local', env: hook.env, edit: (doc) => { onlyPostgresTarget(doc); doc.notify = hook.notify; } });
    const target = world.fixture.targets.postgres;
    const { client, taskQueue } = world.worker;

    const drillId = world.worker.workflowId('drill');
    await expect(client.workflow.execute(restoreDrill, { taskQueue, workflowId: drillId, args: [{ target }] })).rejects.toBeInstanceOf(WorkflowFailedError);
    await waitFor('drill.failed', () => receiver.accepted.length === 1, 30_000);
    const restoreId = world.worker.workflowId('restore');
    await expect(client.workflow.execute(restoreBackup, { taskQueue, workflowId: restoreId, args: [{ target, pick: { latest: true } }] })).rejects.toBeInstanceOf(WorkflowFailedError);
    await waitFor('restore.done', () => receiver.accepted.length === 2, 30_000);

    const runOf = async (id: string) => ({ workflowId: id, runId: (await client.workflow.getHandle(id).describe()).runId });
    expect(receiver.accepted).toEqual([
      { id: UUID, event: 'drill.failed', time: ISO, outcome: 'failed', target, report: expect.stringMatching(/\.md$/), cause: expect.stringContaining(target), ...(await runOf(drillId)) },
      { id: UUID, event: 'restore.done', time: ISO, outcome: 'failed', target, report: expect.stringMatching(/\.md$/), cause: expect.stringContaining(target), ...(await runOf(restoreId)) },
    ]);
    for (const body of receiver.accepted) expect(dirname(body.report)).toBe(world.fixture.config.reports);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
  });
});
