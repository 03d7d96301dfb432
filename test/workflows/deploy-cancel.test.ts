import { CancelledFailure, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { pendingApprovalQuery, progressQuery, type deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { currentRelease, deployRootEntries, dockerCalls, healthOf, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import type { DeployFixtureOptions } from '../support/deploy-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployWorldForTest, runFailure, startDeploy, type OnFinished } from '../support/deploy-world.js';
import { startSlackReceiver } from '../support/slack-receiver.js';
import { waitFor } from '../support/wait-for.js';

/** A deploy world that reports to a Slack stand-in. */
async function alertingDeployWorld(options: DeployFixtureOptions, onTestFinished: OnFinished) {
  const receiver = await startSlackReceiver('ok');
  onTestFinished(() => receiver.close());
  const world = await deployWorldForTest(
    { ...options, edit: (doc) => (doc.notify = { slack: { webhookUrl: '${SLACK_WEBHOOK_URL}' } }), env: { SLACK_WEBHOOK_URL: receiver.url } },
    onTestFinished,
  );
  return { receiver, world };
}

/** The run ended as cancelled: the client sees a CancelledFailure, and Temporal records the run as CANCELLED, not failed. */
async function expectCancelled(handle: WorkflowHandle<typeof deployPipeline>): Promise<void> {
  expect((await runFailure(handle)).cause).toBeInstanceOf(CancelledFailure);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
}

describe.concurrent('deployPipeline cancelled from the UI or CLI', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('during the health gate: rolled back to the previous release and healthy, logged, reported and alerted, then the run ends cancelled', async ({ onTestFinished }) => {
    // The new release answers 500 for two minutes: the cancel lands while the gate is still polling.
    const { receiver, world } = await alertingDeployWorld({ healthTimeoutSeconds: 120 }, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const good = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
    const bad = await fixture.repo.commit('health fails', { HEALTH_FAIL: 'yes\n', VERSION: '2.0.0-unhealthy\n' });

    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    await waitFor('the staging health gate', async () => (await handle.query(progressQuery)).some((s) => s.step === 'staging health' && s.status === 'running'), DEPLOY_TEST_TIMEOUT_MS * 0.5, 200);
    expect(currentRelease(staging.root)).toBe(`releases/${bad}`);
    await handle.cancel();
    await expectCancelled(handle);

    expect(currentRelease(staging.root)).toBe(`releases/${good}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
    expect(releaseLogOf(staging.root)).toEqual([
      expect.objectContaining({ sha: good, previous: null, event: 'deployed' }),
      expect.objectContaining({ sha: bad, previous: good, event: 'rolled-back', detail: 'cancelled during health', runId: expect.any(String) }),
    ]);
    const progress = await handle.query(progressQuery);
    expect(progress.filter((s) => s.step.startsWith('staging ')).map((s) => [s.step, s.status])).toEqual([
      ['staging sync', 'done'], ['staging build', 'done'], ['staging switch', 'done'], ['staging health', 'failed'], ['staging rollback switch', 'done'], ['staging rollback health', 'done'],
    ]);

    const report = latestDeployReport(fixture);
    expect(report).toContain(`# Deploy ${fixture.app} ${bad.slice(0, 12)}: CANCELLED, rolled back and healthy`);
    expect(report).toContain('- Cancelled: yes');
    expect(report).toContain('## staging: CANCELLED, rolled back and healthy');
    expect(report).toContain('- Error: cancelled during health');
    expect(report).toMatch(/\| rollback health \| done \|/);
    expect(receiver.messages.map((m) => m.text)).toEqual([`:leftwards_arrow_with_hook: Deploy rolled back: ${fixture.app} — ${bad.slice(0, 12)} on staging: cancelled during health`]);
  });

  it('while waiting for approval before prod: nothing to undo, prod untouched, a report and a message, and the run ends cancelled', async ({ onTestFinished }) => {
    const { receiver, world } = await alertingDeployWorld({ approvalBeforeProd: true }, onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.sha('main');
    const handle = await startDeploy(world, { ref: 'main' });
    await waitFor('the approval gate before prod', async () => (await handle.query(pendingApprovalQuery))?.stage === 'prod', DEPLOY_TEST_TIMEOUT_MS * 0.5, 200);
    await handle.cancel();
    await expectCancelled(handle);

    expect(await handle.query(pendingApprovalQuery)).toBeNull();
    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${sha}`);
    expect(dockerCalls(fixture.stages.prod.project)).toEqual([]);
    expect(deployRootEntries(fixture.stages.prod.root)).toEqual([]);
    const report = latestDeployReport(fixture);
    expect(report).toContain(`# Deploy ${fixture.app} ${sha.slice(0, 12)}: CANCELLED`);
    expect(report).toContain('## staging: deployed');
    expect(report).toContain('## prod: CANCELLED');
    expect(report).toContain('- Error: cancelled while waiting for approval');
    expect(receiver.messages.map((m) => m.text)).toEqual([`:x: Deploy ${fixture.app} \`${sha.slice(0, 12)}\` (main) cancelled on prod: cancelled while waiting for approval (by test)`]);
  });
});
