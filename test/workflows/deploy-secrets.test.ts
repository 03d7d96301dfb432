import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { releaseLogOf } from '../support/deploy-assertions.js';
import { historyText } from '../support/history-text.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, startDeploy, type DeployWorld, type OnFinished } from '../support/deploy-world.js';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.js';

/** A deploy world whose failures are posted to a Slack stand-in, so its messages can be searched too. */
async function alertingWorld(onTestFinished: OnFinished): Promise<{ world: DeployWorld; receiver: SlackReceiver; password: string }> {
  const receiver = await startSlackReceiver('ok');
  onTestFinished(() => receiver.close());
  const world = await deployWorldForTest(
    { edit: (doc) => (doc.notify = { slack: { webhookUrl: '${SLACK_WEBHOOK_URL}', deploySuccess: true } }), env: { SLACK_WEBHOOK_URL: receiver.url } },
    onTestFinished,
  );
  return { world, receiver, password: world.fixture.env.DEPLOY_DB_PASSWORD! };
}

/** Where a deploy's words end up: each run's history, every report, each stage's releases.log, every Slack post. */
async function publishedTexts(world: DeployWorld, receiver: SlackReceiver, handles: WorkflowHandle[]): Promise<Record<string, string>> {
  const { fixture } = world;
  const texts: Record<string, string> = {};
  for (const handle of handles) texts[`history of ${handle.workflowId}`] = await historyText(handle);
  for (const name of readdirSync(fixture.config.reports)) texts[`report ${name}`] = readFileSync(join(fixture.config.reports, name), 'utf8');
  for (const [stage, { root }] of Object.entries(fixture.stages)) {
    if (existsSync(join(root, 'releases.log'))) texts[`${stage} releases.log`] = readFileSync(join(root, 'releases.log'), 'utf8');
  }
  texts['Slack posts'] = JSON.stringify(receiver.requests);
  return texts;
}

function expectNowhere(password: string, texts: Record<string, string>): void {
  const leaks = Object.entries(texts).filter(([, text]) => text.includes(password)).map(([where]) => where);
  expect(leaks).toEqual([]);
}

const DB_URL_LINE = 'connecting to postgres://app:${DB_PASSWORD}@db.internal/app';
const REDACTED_URL = 'postgres://app:[redacted]@db.internal/app';

describe.concurrent('the stage DB password printed by the release never leaves the host', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('in the build output of a passing and of a failing build', async ({ onTestFinished }) => {
    const { world, receiver, password } = await alertingWorld(onTestFinished);
    const { fixture } = world;
    await fixture.repo.commit('build prints the DB URL', { BUILD_LOG: `${DB_URL_LINE}\n` });
    const passing = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    expect(await passing.result()).toMatchObject({ outcome: 'succeeded' });
    const sha = await fixture.repo.commit('break the build', { BUILD_FAIL: 'migrations: cannot open postgres://app:${DB_PASSWORD}@db.internal/app\n' });
    const failing = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    const { failure, outcome } = await deployFailure(failing);

    expect(outcome).toBe('failed');
    expect(failure.message).toContain(`${fixture.app} ${sha.slice(0, 12)} on staging: failed: docker compose build on local failed (exit 1): `);
    expect(releaseLogOf(fixture.stages.staging.root).at(-1)).toMatchObject({ sha, event: 'failed', detail: expect.stringContaining(`#5 0.412 migrations: cannot open ${REDACTED_URL}`) });
    expect(receiver.messages.at(-1)!.text).toContain(REDACTED_URL);
    expectNowhere(password, await publishedTexts(world, receiver, [passing, failing]));
  });

  it('in the log of a container that exits right after `up`', async ({ onTestFinished }) => {
    const { world, receiver, password } = await alertingWorld(onTestFinished);
    const { fixture } = world;
    await fixture.repo.commit('crash printing the DB URL', {
      'server.js': 'console.error(`sample-app: cannot open postgres://app:${process.env.DB_PASSWORD}@db.internal/app`);\nprocess.exit(3);\n',
    });
    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('rollback-failed');
    expect(failure.message).toContain('exited (exit code 3) right after start');
    expect(failure.message).toContain(`sample-app: cannot open ${REDACTED_URL}`);
    expect(releaseLogOf(fixture.stages.staging.root).at(-1)).toMatchObject({ event: 'rollback-failed', detail: expect.stringContaining(REDACTED_URL) });
    expect(receiver.messages.at(-1)!.text).toContain(REDACTED_URL);
    expectNowhere(password, await publishedTexts(world, receiver, [handle]));
  });

  it('in the output of a failing smoke test, which sees none of the worker\'s environment', async ({ onTestFinished }) => {
    const { world, receiver, password } = await alertingWorld(onTestFinished);
    const { fixture } = world;
    const dotenv = join(fixture.stages.staging.root, 'current', '.env');
    await fixture.repo.commit('a smoke test that dumps its settings', {
      'smoke.js': [
        "import { readFileSync } from 'node:fs';",
        "console.log(`env: ${Object.keys(process.env).sort().join(',')}`);",
        `console.log(readFileSync(${JSON.stringify(dotenv)}, 'utf8'));`,
        'process.exit(1);',
        '',
      ].join('\n'),
    });
    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    const { outcome, reportPath } = await deployFailure(handle);

    expect(outcome).toBe('rollback-failed');
    const report = readFileSync(reportPath, 'utf8');
    const envKeys = ['BASE_URL', ...(process.env.HOME !== undefined ? ['HOME'] : []), 'OPS_APP', 'OPS_STAGE', 'PATH'];
    expect(report).toContain(`env: ${envKeys.join(',')}`);
    expect(report).toContain('DB_PASSWORD="[redacted]"');
    const texts = await publishedTexts(world, receiver, [handle]);
    expect(texts[`history of ${handle.workflowId}`]).toContain('DB_PASSWORD=\\"[redacted]\\"');
    expectNowhere(password, texts);
  });
});
