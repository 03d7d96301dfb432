import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { readDeployRecords } from '../../src/records/deploy-records.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { hostSteps } from '../../src/workflows/activity-options.js';
import { activityRuns } from '../support/activity-history.js';
import { currentReleaseIfAny, deployRootEntries, dockerCalls, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture, type DeployFixtureOptions } from '../support/deploy-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, failureChain, runFailure, startDeploy, type DeployWorld, type OnFinished } from '../support/deploy-world.js';
import { testServers } from '../support/servers.js';

/** No deploy step reached this stage: no compose call, nothing in its deploy root. */
function expectUntouched(fixture: DeployFixture, stage: 'staging' | 'prod'): void {
  expect(dockerCalls(fixture.stages[stage].project)).toEqual([]);
  expect(deployRootEntries(fixture.stages[stage].root)).toEqual([]);
}

// Each test has its own fixture, worker and task queue, and most of their time is ssh round trips and retry backoff: they run concurrently.
describe.concurrent('deployPipeline refuses bad input before anything reaches a host', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it.for([
    ['an unknown app', (w: DeployWorld) => ({ app: `${w.fixture.app}-nope`, ref: 'main' }), 'UnknownName', (w: DeployWorld) => `unknown app "${w.fixture.app}-nope" (configured: ${w.fixture.app})`, 'planDeploy'],
    ['unknown stages, all named at once', () => ({ ref: 'main', stages: ['nope', 'prod', 'qa'] }), 'UnknownName', (w: DeployWorld) => `unknown stages "nope", "qa" of app "${w.fixture.app}" (configured: staging, prod)`, 'planDeploy'],
    ['an unknown ref', () => ({ ref: 'no-such-branch' }), 'PreconditionFailed', (w: DeployWorld) => `app "${w.fixture.app}": ref "no-such-branch" does not name a commit in ${w.fixture.repo.repo}`, 'resolveRef'],
  ] as const)('%s: refused with a named, non-retryable type naming it, one attempt, no host touched', async ([, input, type, message, activity], { onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const handle = await startDeploy(world, input(world));
    const error = await runFailure(handle);

    expect(failureChain(error)).toEqual([
      ['WorkflowFailedError', undefined, 'Workflow execution failed'],
      ['ActivityFailure', undefined, 'Activity task failed'],
      ['ApplicationFailure', type, message(world)],
    ]);
    const runs = await activityRuns(world.worker.client, handle.workflowId, activity);
    expect(runs).toMatchObject([{ attempt: 1, outcome: 'failed', retryState: 'NON_RETRYABLE_FAILURE' }]);
    expect((await activityRuns(world.worker.client, handle.workflowId)).map((r) => r.activity)).not.toContain('syncRelease');
    expectUntouched(world.fixture, 'staging');
    expectUntouched(world.fixture, 'prod');
    // Still a report of the refused run; only a configured app's deploy counts in the metrics.
    const { app = world.fixture.app } = input(world) as { app?: string };
    const report = readFileSync(join(world.fixture.config.reports, `deploy-${app}-latest.md`), 'utf8');
    expect(report).toContain(`- Error: ${activity === 'planDeploy' ? 'plan' : 'resolve'} failed: ${message(world)}`);
    expect((await readDeployRecords(world.fixture.config)).map((r) => [r.app, r.outcome])).toEqual(app === world.fixture.app ? [[app, 'failed']] : []);
  });

  it('a stage secret whose environment variable is unset: ConfigError naming the key and the variable', async ({ onTestFinished }) => {
    const fixture = await makeDeployFixture();
    onTestFinished(() => fixture.cleanup());
    const { DEPLOY_DB_PASSWORD: _, ...withoutPassword } = fixture.env;

    const error = (() => {
      try {
        loadConfig(fixture.configFile, withoutPassword);
        return undefined;
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'apps[0].stages[0].secrets.DB_PASSWORD: environment variable DEPLOY_DB_PASSWORD is not set',
      'apps[0].stages[1].secrets.DB_PASSWORD: environment variable DEPLOY_DB_PASSWORD is not set',
    ]);
  });
});

/** A key pair the test sshd has never seen. */
async function strangerKey(onTestFinished: OnFinished): Promise<string> {
  const dir = await mkdtemp(join(testServers().scratchRoot, 'stranger-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const key = join(dir, 'id_ed25519');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'not-authorized', '-f', key]);
  return key;
}

describe.concurrent('deployPipeline when the host cannot be reached', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it.for([
    [
      'nothing listens on the ssh port',
      async (): Promise<[DeployFixtureOptions, RegExp]> => {
        const port = await freePort();
        return [{ edit: (doc) => (doc.hosts.local.ssh = doc.hosts.local.ssh.replace(/:\d+$/, `:${port}`)) }, new RegExp(`ssh: connect to host 127\\.0\\.0\\.1 port ${port}: Connection refused`)];
      },
    ],
    [
      'the key is not authorized',
      async (onTestFinished: OnFinished): Promise<[DeployFixtureOptions, RegExp]> => {
        const key = await strangerKey(onTestFinished);
        return [{ edit: (doc) => (doc.ssh.identityFile = key) }, /Permission denied \(publickey\)/];
      },
    ],
  ] as const)('%s: sync is retried (ssh exit 255), then staging fails naming the cause; prod is never touched', async ([, arrange], { onTestFinished }) => {
    const [options, cause] = await arrange(onTestFinished);
    const world = await deployWorldForTest(options, onTestFinished);
    const { fixture } = world;
    const handle = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('failed');
    expect(failure.type).toBe('DeployFailed');
    expect(failure.message).toMatch(new RegExp(`^${fixture.app} [0-9a-f]{12} on staging: failed: ssh failed \\(exit 255\\): `));
    expect(failure.message).toMatch(cause);
    const [sync, ...moreSyncs] = await activityRuns(world.worker.client, handle.workflowId, 'syncRelease');
    expect(moreSyncs).toEqual([]);
    expect(sync).toMatchObject({ attempt: hostSteps.retry!.maximumAttempts, outcome: 'failed', retryState: 'MAXIMUM_ATTEMPTS_REACHED' });
    expect(sync!.failure).toMatchObject({ type: 'CommandFailed', nonRetryable: false });
    expect(sync!.failure!.message).toMatch(cause);
    expect(await activityRuns(world.worker.client, handle.workflowId, 'buildRelease')).toEqual([]);

    expectUntouched(fixture, 'staging');
    expectUntouched(fixture, 'prod');
    const report = latestDeployReport(fixture);
    expect(report).toContain('## staging: FAILED');
    expect(report).toMatch(cause);
    expect(report).toContain('## prod: skipped');
  });
});

describe.concurrent('deployPipeline when the build fails', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('stops staging before the switch, after one build attempt, naming the build error; prod is never touched', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const reason = 'npm ERR! Missing script: "build" (left out on purpose)';
    const sha = await fixture.repo.commit('break the build', { BUILD_FAIL: `${reason}\n` });
    const handle = await startDeploy(world, { ref: 'main' });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('failed');
    expect(failure.type).toBe('DeployFailed');
    expect(failure.message).toContain(`${fixture.app} ${sha.slice(0, 12)} on staging: failed: docker compose build on local failed (exit 1): `);
    expect(failure.message).toContain(reason);
    expect(failure.message).toContain('did not complete successfully');
    const [build, ...moreBuilds] = await activityRuns(world.worker.client, handle.workflowId, 'buildRelease');
    expect(moreBuilds).toEqual([]);
    expect(build).toMatchObject({ attempt: 1, outcome: 'failed', retryState: 'NON_RETRYABLE_FAILURE' });
    expect(build!.failure).toMatchObject({ type: 'CommandFailed', nonRetryable: true });
    expect(await activityRuns(world.worker.client, handle.workflowId, 'switchRelease')).toEqual([]);

    const staging = fixture.stages.staging;
    const release = join(staging.root, 'releases', sha);
    expect(dockerCalls(staging.project)).toEqual([['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', staging.project, 'build']]);
    expect(currentReleaseIfAny(staging.root)).toBeNull();
    expect(releaseLogOf(staging.root)).toEqual([
      expect.objectContaining({ app: fixture.app, stage: 'staging', sha, previous: null, event: 'failed', detail: expect.stringContaining(reason) }),
    ]);
    expectUntouched(fixture, 'prod');

    const report = latestDeployReport(fixture);
    expect(report).toContain(`# Deploy ${fixture.app} ${sha.slice(0, 12)}: FAILED`);
    expect(report).toContain('## staging: FAILED');
    expect(report).toContain(reason);
    expect(report).toMatch(/\| build \| failed \|/);
    expect(report).toContain('## prod: skipped');
  });
});
