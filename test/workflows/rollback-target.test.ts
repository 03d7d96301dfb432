import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-servers/free-port.js';
import { workflowIds } from '../../src/temporal/names.js';
import { rollbackStage } from '../../src/workflows/rollback-stage.js';
import { activityRuns } from '../support/activity-history.js';
import { currentRelease, dockerCalls, healthOf, releaseLogOf } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, editedConfig, runFailure, startDeploy, type DeployWorld } from '../support/deploy-world.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';

function startRollback(world: DeployWorld, to: string) {
  const { worker, fixture } = world;
  return worker.client.workflow.start(rollbackStage, {
    taskQueue: worker.taskQueue,
    workflowId: `${workflowIds.deploy(fixture.app)}-${worker.workflowId('rollback')}`,
    args: [{ app: fixture.app, stage: 'staging', to, startedBy: 'test' }],
  });
}

async function deployedToStaging(world: DeployWorld): Promise<string> {
  const result = await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result();
  expect(result.outcome).toBe('succeeded');
  return result.sha;
}

describe.concurrent('ops rollback --to: only a release the log records as deployed', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('a release dir that was never deployed (a sync cut short, a failed build) is refused, and nothing switches', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const good = await deployedToStaging(world);
    const failedBuild = await fixture.repo.commit('break the build', { BUILD_FAIL: 'npm ERR! broken on purpose\n' });
    expect((await deployFailure(await startDeploy(world, { ref: 'main', stages: ['staging'] }))).outcome).toBe('failed');
    // What an interrupted rsync leaves: releases/<sha> with part of the release in it, and no log entry.
    const halfSynced = await fixture.repo.commit('never deployed', { VERSION: '3.0.0\n' });
    await mkdir(join(staging.root, 'releases', halfSynced));
    await writeFile(join(staging.root, 'releases', halfSynced, 'server.js'), 'console.log("half a release");\n');
    const composeCallsBefore = dockerCalls(staging.project);

    for (const [sha, why] of [
      [halfSynced, 'releases.log has no entry for it: it was never deployed here (its sync may have been cut short)'],
      [failedBuild, 'releases.log records it only as failed, never as deployed'],
    ] as const) {
      const handle = await startRollback(world, sha);
      const refusal = `release ${sha} is not a safe rollback target on ${fixture.app} staging: ${why}`;
      const { cause } = await runFailure(handle);
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect(cause).toMatchObject({ type: 'RollbackFailed', message: `${fixture.app} on staging: rollback to ${sha.slice(0, 12)} failed: ${refusal}` });
      expect(await activityRuns(world.worker.client, handle.workflowId, 'switchRelease')).toMatchObject([
        { attempt: 1, outcome: 'failed', failure: { type: 'PreconditionFailed', message: refusal, nonRetryable: true } },
      ]);
      expect(await activityRuns(world.worker.client, handle.workflowId, 'checkHealth')).toEqual([]);
    }

    expect(dockerCalls(staging.project)).toEqual(composeCallsBefore);
    expect(currentRelease(staging.root)).toBe(`releases/${good}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: good });
    expect(releaseLogOf(staging.root).map((e) => [e.sha, e.event])).toEqual([
      [good, 'deployed'],
      [failedBuild, 'failed'],
      [halfSynced, 'rollback-failed'],
      [failedBuild, 'rollback-failed'],
    ]);
  });

  it('a release deployed before is switched back to, and passes the health gate', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const first = await deployedToStaging(world);
    await fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });
    const second = await deployedToStaging(world);

    const result = await (await startRollback(world, first)).result();
    expect(result).toEqual({ from: second, to: first, report: expect.stringMatching(new RegExp(`^${fixture.config.reports}/rollback-${fixture.app}-\\d{8}T\\d{6}Z\\.md$`)) });

    expect(currentRelease(staging.root)).toBe(`releases/${first}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: first });
    expect(dockerCalls(staging.project).map((argv) => [argv[7], argv[2]!.split('/').at(-1)])).toEqual([
      ['build', first], ['up', first], ['build', second], ['up', second], ['up', first],
    ]);
    expect(releaseLogOf(staging.root).at(-1)).toMatchObject({ sha: first, previous: second, event: 'manual-rollback' });
  });

  it('ops rollback on a host that cannot be reached fails (exit 1) with its report, "before any change", not a refusal', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const running = await deployedToStaging(world);
    const port = await freePort();
    const unreachable = await world.startWorker(await editedConfig(fixture, (doc) => (doc.hosts.local.ssh = doc.hosts.local.ssh.replace(/:\d+$/, `:${port}`))));
    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: unreachable.taskQueue };

    const result = await runCli(['--config', fixture.configFile, 'rollback', fixture.app, '--stage', 'staging'], env);

    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toBe(`error: ${fixture.app} on staging: rollback failed before any change, the release state could not be read: ssh failed (exit 255): ssh: connect to host 127.0.0.1 port ${port}: Connection refused`);
    const reportPath = result.stdout.match(/^report: (.+)$/m)?.[1];
    expect(readFileSync(reportPath!, 'utf8')).toContain(`# Rollback ${fixture.app} on staging: FAILED before any change (the host could not be read)`);
    expect(currentRelease(staging.root)).toBe(`releases/${running}`);
    expect(releaseLogOf(staging.root).map((e) => e.event)).toEqual(['deployed']);
  });
});
