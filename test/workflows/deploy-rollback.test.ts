import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressQuery } from '../../src/workflows/progress.js';
import { activityRuns } from '../support/activity-history.js';
import { currentRelease, deployRootEntries, dockerCalls, healthOf, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import type { DeployFixture } from '../support/deploy-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, editedConfig, stageOf, startDeploy, type DeployWorld } from '../support/deploy-world.js';

type StageName = 'staging' | 'prod';

/** Deploys the ref to the given stages, which must succeed; returns its sha. Prod alone is set up as a hotfix would be: past the promotion check. */
async function deployed(world: DeployWorld, ref: string, stages: StageName[]): Promise<string> {
  const result = await (await startDeploy(world, { ref, stages, ...(stages.includes('staging') ? {} : { skipPromotionCheck: true }) })).result();
  expect(result.outcome).toBe('succeeded');
  return result.sha;
}

/** The compose calls a stage saw, as [subcommand, release] pairs. */
function composeSteps(fixture: DeployFixture, stage: StageName): Array<[string, string]> {
  return dockerCalls(fixture.stages[stage].project).map((argv) => [argv[7]!, argv[2]!.split('/').at(-1)!]);
}

function expectUntouched(fixture: DeployFixture, stage: StageName): void {
  expect(dockerCalls(fixture.stages[stage].project)).toEqual([]);
  expect(deployRootEntries(fixture.stages[stage].root)).toEqual([]);
}

describe.concurrent('deployPipeline rolls a failed switch back to the release it replaced', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('smoke tests fail on staging: staging is back on the previous release and healthy, the report has the smoke output, prod is never touched', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const good = await deployed(world, 'main', ['staging']);
    const bad = await fixture.repo.commit('smoke fails', { SMOKE_FAIL: 'forced\n', VERSION: '2.0.0-smoke\n' });

    const run = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(run);

    expect(outcome).toBe('rolled-back');
    expect(failure.type).toBe('DeployFailed');
    expect(failure.message).toBe(`${fixture.app} ${bad.slice(0, 12)} on staging: rolled-back: smoke tests failed (exit 1)`);
    // The smoke step reads failed, in the progress as in the report, never done.
    const steps = await run.query(progressQuery);
    expect(steps.filter((s) => s.step.startsWith('staging ')).map((s) => [s.step, s.status])).toEqual([
      ['staging sync', 'done'], ['staging build', 'done'], ['staging switch', 'done'], ['staging health', 'done'], ['staging smoke', 'failed'],
      ['staging rollback switch', 'done'], ['staging rollback health', 'done'],
    ]);
    expect(steps.find((s) => s.step === 'staging smoke')!.detail).toBe('smoke tests failed (exit 1)');
    expect(currentRelease(staging.root)).toBe(`releases/${good}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
    expect(composeSteps(fixture, 'staging')).toEqual([['build', good], ['up', good], ['build', bad], ['up', bad], ['up', good]]);
    expect(releaseLogOf(staging.root)).toEqual([
      expect.objectContaining({ sha: good, previous: null, event: 'deployed' }),
      expect.objectContaining({ sha: bad, previous: good, event: 'rolled-back', detail: 'smoke tests failed (exit 1)' }),
    ]);
    expectUntouched(fixture, 'prod');

    const report = latestDeployReport(fixture);
    expect(report).toContain('## staging: FAILED, rolled back and healthy');
    expect(report).toContain(`- Replaced release: \`${good.slice(0, 12)}\``);
    expect(report).toMatch(/- Smoke \(smoke\): failed, exit 1/);
    expect(report).toContain(`ok   GET /health -> 200 {"status":"ok","version":"2.0.0-smoke","release":"${bad}"}`);
    expect(report).toContain(`FAIL forced by ${fixture.config.stateDir}/releases/${fixture.app}/${bad}/SMOKE_FAIL`);
    expect(report).toMatch(/\| smoke \| failed \| [^|]+ \| smoke tests failed \(exit 1\) \|/);
    expect(report).toMatch(/\| rollback switch \| done \|/);
    expect(report).toMatch(/\| rollback health \| done \|/);
    expect(report).toContain('## prod: skipped');
  });

  it('the new release exits right after `up`: the failed switch is rolled back, and current never named the new release', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const good = await deployed(world, 'main', ['staging']);
    const bad = await fixture.repo.commit('crash on start', { 'server.js': 'console.error("sample-app: cannot open the database");\nprocess.exit(3);\n' });

    const handle = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('rolled-back');
    expect(failure.message).toContain(`${fixture.app} ${bad.slice(0, 12)} on staging: rolled-back: docker compose up on local failed (exit 1): `);
    expect(failure.message).toContain(`container ${staging.project}-app-1 exited (exit code 3) right after start`);
    expect(failure.message).toContain('sample-app: cannot open the database');
    const [up, rollback] = await activityRuns(world.worker.client, handle.workflowId, 'switchRelease');
    expect(up).toMatchObject({ attempt: 1, outcome: 'failed', failure: { type: 'CommandFailed', nonRetryable: true } });
    expect(rollback).toMatchObject({ attempt: 1, outcome: 'completed' });
    expect(currentRelease(staging.root)).toBe(`releases/${good}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
    expect(composeSteps(fixture, 'staging')).toEqual([['build', good], ['up', good], ['build', bad], ['up', bad], ['up', good]]);
    expect(releaseLogOf(staging.root).at(-1)).toMatchObject({ sha: bad, previous: good, event: 'rolled-back', detail: expect.stringContaining('exited (exit code 3)') });
    expectUntouched(fixture, 'prod');
    const report = latestDeployReport(fixture);
    expect(report).toContain('## staging: FAILED, rolled back and healthy');
    expect(report).toMatch(/\| switch \| failed \|/);
  });

  it('prod misses its health gate after staging passed: prod is back on its previous release and healthy, staging keeps the new one', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ healthTimeoutSeconds: 8 }, onTestFinished);
    const { fixture } = world;
    const { staging, prod } = fixture.stages;
    const good = await deployed(world, 'main', ['prod']);
    // Only the next prod release gets the setting: each release's .env is written when it is synced.
    const slowProd = await world.startWorker(await editedConfig(fixture, (doc) => (stageOf(doc, 'prod').env.HEALTH_SLOW_MS = '60000')));
    const next = await fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });

    const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: 'main' }, slowProd));

    expect(outcome).toBe('rolled-back');
    expect(failure.message).toMatch(new RegExp(`^${fixture.app} ${next.slice(0, 12)} on prod: rolled-back: health gate: ${prod.baseUrl}/health not healthy after 8s \\(last: .*ECONNREFUSED.*\\)$`));
    expect(currentRelease(prod.root)).toBe(`releases/${good}`);
    expect(await healthOf(prod.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
    expect(composeSteps(fixture, 'prod')).toEqual([['build', good], ['up', good], ['build', next], ['up', next], ['up', good]]);
    expect(releaseLogOf(prod.root)).toEqual([
      expect.objectContaining({ sha: good, event: 'deployed' }),
      expect.objectContaining({ sha: next, previous: good, event: 'rolled-back', detail: expect.stringContaining('not healthy after 8s') }),
    ]);

    expect(currentRelease(staging.root)).toBe(`releases/${next}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '2.0.0', release: next });
    expect(releaseLogOf(staging.root)).toEqual([expect.objectContaining({ sha: next, previous: null, event: 'deployed' })]);

    const report = latestDeployReport(fixture);
    expect(report).toContain('## staging: deployed');
    expect(report).toContain('## prod: FAILED, rolled back and healthy');
  });
});

describe.concurrent('deployPipeline when the rollback itself cannot happen', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('the previous release is gone from the host: rollback-failed, "needs a human", and current still names the release that runs', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const good = await deployed(world, 'main', ['staging']);
    await rm(join(staging.root, 'releases', good), { recursive: true, force: true });
    const bad = await fixture.repo.commit('smoke fails', { SMOKE_FAIL: 'forced\n' });

    const handle = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(handle);

    const missing = `release ${good} is not on local (${staging.root}/releases/${good})`;
    expect(outcome).toBe('rollback-failed');
    expect(failure.message).toBe(`${fixture.app} ${bad.slice(0, 12)} on staging: rollback-failed: smoke tests failed (exit 1); rollback failed: ${missing}`);
    const [, rollbackSwitch] = await activityRuns(world.worker.client, handle.workflowId, 'switchRelease');
    expect(rollbackSwitch).toMatchObject({ attempt: 1, outcome: 'failed', failure: { type: 'PreconditionFailed', message: missing } });
    // Not half-switched: `current` and the running container are the same (failing) release.
    expect(currentRelease(staging.root)).toBe(`releases/${bad}`);
    expect(await healthOf(staging.baseUrl)).toMatchObject({ http: 200, release: bad });
    expect(composeSteps(fixture, 'staging')).toEqual([['build', good], ['up', good], ['build', bad], ['up', bad]]);
    expect(releaseLogOf(staging.root).at(-1)).toMatchObject({ sha: bad, previous: good, event: 'rollback-failed', detail: expect.stringContaining(`rollback failed: ${missing}`) });
    expectUntouched(fixture, 'prod');

    const report = latestDeployReport(fixture);
    expect(report).toContain(`# Deploy ${fixture.app} ${bad.slice(0, 12)}: FAILED, rollback failed: needs a human`);
    expect(report).toContain('## staging: FAILED, rollback failed: needs a human');
    expect(report).toMatch(/\| rollback switch \| failed \|/);
    expect(report).toContain('## prod: skipped');
  });

  it('a first deploy that fails its health gate: rollback-failed, "no previous release to roll back to"', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ healthTimeoutSeconds: 5 }, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const bad = await fixture.repo.commit('health fails', { HEALTH_FAIL: 'yes\n' });

    const handle = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(handle);

    const cause = `health gate: ${staging.baseUrl}/health not healthy after 5s (last: HTTP 500)`;
    expect(outcome).toBe('rollback-failed');
    expect(failure.message).toBe(`${fixture.app} ${bad.slice(0, 12)} on staging: rollback-failed: ${cause}; no previous release to roll back to`);
    expect(await activityRuns(world.worker.client, handle.workflowId, 'switchRelease')).toHaveLength(1);
    expect(currentRelease(staging.root)).toBe(`releases/${bad}`);
    expect(composeSteps(fixture, 'staging')).toEqual([['build', bad], ['up', bad]]);
    expect(releaseLogOf(staging.root)).toEqual([
      expect.objectContaining({ sha: bad, previous: null, event: 'rollback-failed', detail: `${cause}; no previous release to roll back to` }),
    ]);
    expectUntouched(fixture, 'prod');

    const report = latestDeployReport(fixture);
    expect(report).toContain('## staging: FAILED, rollback failed: needs a human');
    expect(report).toContain('- Replaced release: none (first deploy)');
    expect(report).toContain('no previous release to roll back to');
  });
});
