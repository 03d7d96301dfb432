import { describe, expect, it } from 'vitest';
import { currentRelease, healthOf, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, editedConfig, stageOf, startDeploy, type DeployWorld } from '../support/deploy-world.js';

async function deployedToStaging(world: DeployWorld, ref: string): Promise<string> {
  const result = await (await startDeploy(world, { ref, stages: ['staging'] })).result();
  expect(result.outcome).toBe('succeeded');
  return result.sha;
}

describe.concurrent('deploy records when the release running is involved', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('redeploying the running SHA: the report says so, and a failure rolls back to the release before it', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ healthTimeoutSeconds: 5 }, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const first = await deployedToStaging(world, 'main');
    const second = await fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });
    await deployedToStaging(world, second);
    // The same SHA again, with a stage setting that makes it fail its health gate (each sync writes the .env anew).
    const failing = await world.startWorker(await editedConfig(fixture, (doc) => (stageOf(doc, 'staging').env.HEALTH_FAIL_AFTER_MS = '0')));

    const { outcome } = await deployFailure(await startDeploy(world, { ref: second, stages: ['staging'] }, failing));

    expect(outcome).toBe('rolled-back');
    expect(currentRelease(staging.root)).toBe(`releases/${first}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: first });
    expect(releaseLogOf(staging.root).map((e) => [e.event, e.sha, e.previous])).toEqual([
      ['deployed', first, null],
      ['deployed', second, first],
      ['rolled-back', second, first],
    ]);
    const report = latestDeployReport(fixture);
    expect(report).toContain(`- Replaced release: \`${second.slice(0, 12)}\` (same release, redeployed)\n- Rolled back to: \`${first.slice(0, 12)}\``);
    expect(report).not.toContain('none (first deploy)');
  });

  it('redeploying the running SHA that passes: still running it, healthy, and the report and log say it replaced itself', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const running = await deployedToStaging(world, 'main');

    expect(await deployedToStaging(world, running)).toBe(running);

    expect(currentRelease(staging.root)).toBe(`releases/${running}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: running });
    expect(releaseLogOf(staging.root).map((e) => [e.event, e.sha, e.previous])).toEqual([
      ['deployed', running, null],
      ['deployed', running, running],
    ]);
    const report = latestDeployReport(fixture);
    expect(report).toContain(`- Replaced release: \`${running.slice(0, 12)}\` (same release, redeployed)`);
    expect(report).not.toContain('none (first deploy)');
    expect(report).not.toContain('Rolled back');
  });

  it('a build that fails while a release runs: the failed line names the running release as previous', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const running = await deployedToStaging(world, 'main');
    const broken = await fixture.repo.commit('break the build', { BUILD_FAIL: 'npm ERR! broken on purpose\n' });

    expect((await deployFailure(await startDeploy(world, { ref: broken, stages: ['staging'] }))).outcome).toBe('failed');

    expect(releaseLogOf(fixture.stages.staging.root).at(-1)).toMatchObject({ event: 'failed', sha: broken, previous: running });
    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${running}`);
  });
});
