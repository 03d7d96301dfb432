import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { deployLockQuery, type DeployLockResult } from '../../src/workflows/deploy-lock.js';
import { scheduledDeploy } from '../../src/workflows/scheduled-deploy.js';
import { activityRuns } from '../support/activity-history.js';
import { currentRelease, dockerCalls } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, workflowBundle, type TestWorker } from '../support/test-worker.js';

/** A time as people read it: the zone's wall clock with its offset. */
const LOCAL_TIME = '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\+0[12]:00';

/** `ops lock` / `ops lock status` / `ops unlock` against the real dev server, with a real worker, as an operator runs them in an incident. */
describe('ops lock / unlock: a manual deploy lock', () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  let lockRunId: string;

  beforeAll(async () => {
    fixture = await makeDeployFixture();
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
  });
  afterAll(async () => {
    await worker?.client.workflow.getHandle(workflowIds.deploy(fixture.app)).terminate('test cleanup').catch(() => undefined);
    await worker?.stop();
    await fixture?.cleanup();
  });

  const cli = (...args: string[]) => runCli(['--config', fixture.configFile, ...args], env);
  const lockedLine = (app: string) => `deploys of ${app} are locked by alice since ${LOCAL_TIME}: db failover in progress`;

  it('lock without --reason is a usage error (exit 2); with one, a deployLock run holds deploy-<app>, who and why in its memo and query', async () => {
    const bare = await cli('lock', fixture.app);
    expect([bare.exitCode, bare.stderr.trim()]).toEqual([2, 'error: lock needs --reason <text>: it is shown to everyone whose deploy is refused']);

    const locked = await cli('lock', fixture.app, '--reason', 'db failover in progress', '--by', 'alice');
    expect(locked.stderr).toBe('');
    expect(locked.exitCode).toBe(0);
    expect(locked.stdout).toContain(`locked deploys of ${fixture.app} (by alice): db failover in progress`);
    expect(locked.stdout).toContain(`release with: ops unlock ${fixture.app}`);

    const handle = worker.client.workflow.getHandle(workflowIds.deploy(fixture.app));
    const run = await handle.describe();
    lockRunId = run.runId;
    expect([run.type, run.status.name, run.memo]).toEqual(['deployLock', 'RUNNING', { lock: { by: 'alice', reason: 'db failover in progress' } }]);
    expect(await run.staticSummary()).toBe(`deploys of ${fixture.app} locked by alice: db failover in progress`);
    expect(await handle.query(deployLockQuery)).toEqual({ app: fixture.app, by: 'alice', reason: 'db failover in progress', since: run.startTime.toISOString() });

    const deployStatus = await cli('deploy', 'status', fixture.app);
    expect(deployStatus.stdout.trim()).toMatch(new RegExp(`^${lockedLine(fixture.app)} \\(ops unlock ${fixture.app} releases it\\)$`));

    const status = await cli('lock', 'status', fixture.app);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^${lockedLine(fixture.app)}$`, 'm'));
    const overview = await cli('status');
    expect(overview.stdout).toMatch(new RegExp(`^deploys of ${fixture.app} LOCKED by alice since ${LOCAL_TIME}: db failover in progress \\(ops unlock ${fixture.app}\\)$`, 'm'));
  });

  it('while locked: ops deploy (and ops rollback) exits 3 with who and why and starts nothing; a second lock exits 3; a scheduled deploy completes with a note, no alert', async () => {
    const deploy = await cli('deploy', fixture.app, '--ref', 'main', '--approve', '--wait');
    expect(deploy.exitCode).toBe(3);
    expect(deploy.stderr.trim()).toMatch(new RegExp(`^error: deploy refused: ${lockedLine(fixture.app)} \\(ops unlock ${fixture.app} releases it\\)$`));
    expect(dockerCalls(fixture.stages.staging.project)).toEqual([]);
    const held = await worker.client.workflow.getHandle(workflowIds.deploy(fixture.app)).describe();
    expect([held.runId, held.type, held.status.name]).toEqual([lockRunId, 'deployLock', 'RUNNING']);

    const rollback = await cli('rollback', fixture.app, '--stage', 'staging');
    expect(rollback.exitCode).toBe(3);
    expect(rollback.stderr.trim()).toMatch(new RegExp(`^error: rollback refused: ${lockedLine(fixture.app)} \\(ops unlock ${fixture.app} releases it\\)$`));

    const again = await cli('lock', fixture.app, '--reason', 'me too', '--by', 'bob');
    expect(again.exitCode).toBe(3);
    expect(again.stderr).toMatch(new RegExp(`error: already locked: ${lockedLine(fixture.app)}`));

    const scheduledId = worker.workflowId('scheduled-deploy');
    const result = await worker.client.workflow.execute(scheduledDeploy, {
      taskQueue: worker.taskQueue,
      workflowId: scheduledId,
      args: [{ app: fixture.app, ref: 'main', startedBy: 'schedule:nightly-deploy', preApproved: true }],
    });
    expect(result).toEqual({ skipped: expect.stringMatching(new RegExp(`^deploys of ${fixture.app} are locked by alice since \\S+Z: db failover in progress; this scheduled run deployed nothing$`)) });
    expect((await activityRuns(worker.client, scheduledId)).map((r) => [r.activity, r.outcome])).toEqual([['heldDeployLock', 'completed']]);
    expect(dockerCalls(fixture.stages.staging.project)).toEqual([]);
  });

  it('ops unlock signals the run, which ends naming who released it; deploys run again', async () => {
    const unlocked = await cli('unlock', fixture.app, '--by', 'bob');
    expect(unlocked.stderr).toBe('');
    expect(unlocked.exitCode).toBe(0);
    expect(unlocked.stdout.trim()).toMatch(new RegExp(`^unlocked deploys of ${fixture.app} \\(locked by alice since ${LOCAL_TIME}: db failover in progress; unlocked by bob\\)$`));
    const lock = worker.client.workflow.getHandle<() => Promise<DeployLockResult>>(workflowIds.deploy(fixture.app), lockRunId);
    expect(await lock.result()).toMatchObject({ app: fixture.app, by: 'alice', reason: 'db failover in progress', unlockedBy: 'bob' });
    expect((await lock.describe()).status.name).toBe('COMPLETED');
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await lock.fetchHistory(), lock.workflowId);

    expect((await cli('lock', 'status', fixture.app)).stdout.trim()).toBe(`deploys of ${fixture.app} are not locked`);
    const twice = await cli('unlock', fixture.app);
    expect([twice.exitCode, twice.stderr.trim()]).toEqual([2, `error: deploys of ${fixture.app} are not locked`]);

    const sha = await fixture.repo.sha('main');
    const deploy = await cli('deploy', fixture.app, '--ref', 'main', '--stages', 'staging', '--wait');
    expect(deploy.exitCode).toBe(0);
    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${sha}`);
  });
});

describe('ops unlock with no worker running', () => {
  it('the signal is not taken, so the lock run is terminated naming who released it; the id is free again', async ({ onTestFinished }) => {
    const fixture = await makeDeployFixture();
    onTestFinished(() => fixture.cleanup());
    // A task queue no worker polls: the lock is taken (the id is held) but nothing runs its code.
    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: `nobody-${fixture.app}` };
    const cli = (...args: string[]) => runCli(['--config', fixture.configFile, ...args], env);
    expect((await cli('lock', fixture.app, '--reason', 'maintenance', '--by', 'alice')).exitCode).toBe(0);
    expect((await cli('lock', 'status', fixture.app)).stdout).toContain(`deploys of ${fixture.app} are locked by alice since `);

    const unlocked = await cli('unlock', fixture.app, '--by', 'bob');
    expect(unlocked.exitCode).toBe(0);
    expect(unlocked.stdout).toContain('unlocked by bob)');
    const worker = await startTestWorker(fixture.config);
    onTestFinished(() => worker.stop());
    const run = await worker.client.workflow.getHandle(workflowIds.deploy(fixture.app)).describe();
    expect([run.type, run.status.name]).toEqual(['deployLock', 'TERMINATED']);
    expect((await cli('lock', 'status', fixture.app)).stdout.trim()).toBe(`deploys of ${fixture.app} are not locked`);
  }, 120_000);
});
