import { describe, expect, it } from 'vitest';
import { activityRuns } from '../support/activity-history.js';
import { latestDeployReport } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, failureChain, runFailure, startDeploy, type OnFinished } from '../support/deploy-world.js';
import { startSlackReceiver, type ReceiverMode } from '../support/slack-receiver.js';

const REASON = 'npm ERR! Missing script: "build" (left out on purpose)';

/** A deploy world whose notify.slack points at a Slack stand-in, the URL handed in as the secret ${SLACK_WEBHOOK_URL}. */
async function alertingDeployWorld(mode: ReceiverMode, onTestFinished: OnFinished) {
  const receiver = await startSlackReceiver(mode);
  onTestFinished(() => receiver.close());
  const world = await deployWorldForTest(
    { edit: (doc) => (doc.notify = { slack: { webhookUrl: '${SLACK_WEBHOOK_URL}' } }), env: { SLACK_WEBHOOK_URL: receiver.url } },
    onTestFinished,
  );
  return { receiver, world };
}

describe.concurrent('deployPipeline alerts', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('a failed deploy: exactly one Slack message naming the app, the stage and the cause, with the run link; the run fails with its own error', async ({ onTestFinished }) => {
    const { receiver, world } = await alertingDeployWorld('ok', onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.commit('break the build', { BUILD_FAIL: `${REASON}\n` });
    const runUrl = `http://127.0.0.1:8233/namespaces/default/workflows/${fixture.app}`;
    const handle = await startDeploy(world, { ref: 'main', runUrl });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('failed');
    expect(failure.type).toBe('DeployFailed');
    expect(failure.message).toContain(`${fixture.app} ${sha.slice(0, 12)} on staging: failed: docker compose build on local failed (exit 1): `);
    expect(receiver.messages).toHaveLength(1);
    const { text } = receiver.messages[0]!;
    expect(text).toMatch(new RegExp(`^:x: Deploy failed: ${fixture.app} — ${sha.slice(0, 12)} on staging: docker compose build on local failed \\(exit 1\\): `));
    expect(text).toContain(REASON);
    // The link names this run, not only the workflow id that every deploy of the app shares.
    expect(text).toMatch(new RegExp(`<${runUrl}/${(await handle.describe()).runId}/history\\|run>$`));
    expect(text).not.toContain(new URL(receiver.url).pathname);
    expect(text).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
    expect(await activityRuns(world.worker.client, handle.workflowId, 'sendAlert')).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
    expect(await activityRuns(world.worker.client, handle.workflowId, 'postToSlack')).toEqual([]);
  });

  it('an unknown ref, refused before any stage: still a report naming the ref and the cause, and one deploy-failed alert; the run fails with PreconditionFailed', async ({ onTestFinished }) => {
    const { receiver, world } = await alertingDeployWorld('ok', onTestFinished);
    const { fixture } = world;
    const handle = await startDeploy(world, { ref: 'no-such-branch' });
    const cause = `app "${fixture.app}": ref "no-such-branch" does not name a commit in ${fixture.repo.repo}`;

    expect(failureChain(await runFailure(handle)).at(-1)).toEqual(['ApplicationFailure', 'PreconditionFailed', cause]);
    const report = latestDeployReport(fixture);
    expect(report).toContain(`# Deploy ${fixture.app} no-such-branch: FAILED`);
    expect(report).toContain('- Ref: `no-such-branch` (not resolved)');
    expect(report).toContain(`- Error: resolve failed: ${cause}`);
    expect(report).toContain('## staging: skipped');
    expect(report).toContain('## prod: skipped');
    expect(receiver.messages.map((m) => m.text)).toEqual([`:x: Deploy failed: ${fixture.app} — no-such-branch: resolve failed: ${cause}`]);
    expect(await activityRuns(world.worker.client, handle.workflowId, 'sendAlert')).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
  });

  it('a webhook answering 500 does not change the outcome: the alert is retried, given up, and the deploy fails with its own error', async ({ onTestFinished }) => {
    const { receiver, world } = await alertingDeployWorld('fail-500', onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.commit('break the build', { BUILD_FAIL: `${REASON}\n` });
    const handle = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('failed');
    expect(failure.type).toBe('DeployFailed');
    expect(failure.message).toContain(`${fixture.app} ${sha.slice(0, 12)} on staging: failed: docker compose build on local failed (exit 1): `);
    expect(failure.message).toContain(REASON);
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.messages).toEqual([]);
    // The activity answered "not delivered" rather than failing: Temporal did not send it again.
    expect(await activityRuns(world.worker.client, handle.workflowId, 'sendAlert')).toMatchObject([{ attempt: 1, outcome: 'completed' }]);
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(new URL(receiver.url).pathname);
  });
});
