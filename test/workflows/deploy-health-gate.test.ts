import { describe, expect, it } from 'vitest';
import { currentRelease, healthOf, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, editedConfig, stageOf, startDeploy, type DeployWorld } from '../support/deploy-world.js';

/** Deploys main to staging, which must succeed; returns its sha. */
async function deployedToStaging(world: DeployWorld): Promise<string> {
  const result = await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result();
  expect(result.outcome).toBe('succeeded');
  return result.sha;
}

/**
 * A good release on staging, then the next one with the edited config, whose staging env goes
 * only into the next release's .env: that release misses the gate and staging is rolled back to
 * the good one, which passes the same gate again.
 */
async function failingNextRelease(world: DeployWorld, edit: (staging: Record<string, any>) => void) {
  const good = await deployedToStaging(world);
  const next = await world.fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });
  const worker = await world.startWorker(await editedConfig(world.fixture, (doc) => edit(stageOf(doc, 'staging'))));
  const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: 'main', stages: ['staging'] }, worker));
  const staging = world.fixture.stages.staging;
  expect(outcome).toBe('rolled-back');
  expect(currentRelease(staging.root)).toBe(`releases/${good}`);
  expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
  expect(releaseLogOf(staging.root).at(-1)).toMatchObject({ sha: next, previous: good, event: 'rolled-back' });
  expect(latestDeployReport(world.fixture)).toContain('## staging: FAILED, rolled back and healthy');
  return { failure, prefix: `${world.fixture.app} ${next.slice(0, 12)} on staging: rolled-back: ` };
}

describe.concurrent('deployPipeline health gate', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('200 with a body that does not match bodyMatch: the gate fails naming the body mismatch, staging is rolled back', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ healthTimeoutSeconds: 4 }, onTestFinished);
    const { baseUrl } = world.fixture.stages.staging;

    const { failure, prefix } = await failingNextRelease(world, (staging) => (staging.env.HEALTH_BODY = 'degraded'));

    expect(failure.message).toBe(`${prefix}health gate: ${baseUrl}/health not healthy after 4s (last: HTTP 200, body does not match /"status":"ok"/)`);
  });

  it('healthy first, then failing within stableSeconds: the gate fails "not stable", staging is rolled back', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { baseUrl } = world.fixture.stages.staging;

    const { failure, prefix } = await failingNextRelease(world, (staging) => {
      staging.health.stableSeconds = 6;
      staging.env.HEALTH_FAIL_AFTER_MS = '2500';
    });

    expect(failure.message).toBe(`${prefix}health gate: ${baseUrl}/health not stable: unhealthy again within the 6s stability period (last: HTTP 500)`);
  });

  it('two URLs: both must pass; when the second fails, the gate fails naming it and staging is rolled back', async ({ onTestFinished }) => {
    const world = await deployWorldForTest(
      { healthTimeoutSeconds: 4, edit: (doc) => (stageOf(doc, 'staging').health.url = [`${stageOf(doc, 'staging').baseUrl}/health`, `${stageOf(doc, 'staging').baseUrl}/ready`]) },
      onTestFinished,
    );
    const { baseUrl } = world.fixture.stages.staging;

    const { failure, prefix } = await failingNextRelease(world, (staging) => {
      expect(latestDeployReport(world.fixture)).toContain(`- Health: ${baseUrl}/health, ${baseUrl}/ready healthy after`);
      staging.env.READY_FAIL = '1';
    });

    expect(failure.message).toBe(`${prefix}health gate: ${baseUrl}/ready not healthy after 4s (last: HTTP 503)`);
  });
});
