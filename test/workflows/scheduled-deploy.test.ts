import { ScheduleNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { ScheduleDeclaration } from '../../src/config/schedule-schema.js';
import { applySchedules } from '../../src/schedules/apply-schedules.js';
import { workflowIds } from '../../src/temporal/names.js';
import { approveUpdate, deployPipeline, pendingApprovalQuery } from '../../src/workflows/deploy-pipeline.js';
import type { scheduledDeploy } from '../../src/workflows/scheduled-deploy.js';
import { currentRelease, dockerCalls, releaseLogOf } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployWorldForTest, failureChain, runFailure } from '../support/deploy-world.js';
import { waitFor } from '../support/wait-for.js';

/** Triggers the schedule and returns the run it started: a trigger is taken a moment later. */
async function triggered(client: Client, scheduleId: string): Promise<WorkflowHandle<typeof scheduledDeploy>> {
  const schedule = client.schedule.getHandle(scheduleId);
  const before = (await schedule.describe()).info.numActionsTaken;
  await schedule.trigger();
  let started: { workflowId: string; firstExecutionRunId: string } | undefined;
  await waitFor(`a run of schedule ${scheduleId}`, async () => {
    const { info } = await schedule.describe();
    started = info.numActionsTaken > before ? info.recentActions.at(-1)!.action.workflow : undefined;
    return started !== undefined;
  }, 30_000, 250);
  return client.workflow.getHandle(started!.workflowId, started!.firstExecutionRunId);
}

describe('scheduledDeploy: a deployPipeline schedule takes the app\'s deploy lock', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('while `ops deploy` runs, a scheduled run fails naming it and deploys nothing; after it, the scheduled run deploys under deploy-<app>', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ approvalBeforeProd: true }, onTestFinished);
    const { fixture, worker } = world;
    const { client } = worker;
    const lockId = workflowIds.deploy(fixture.app);
    const scheduleId = worker.workflowId('scheduled-deploy');
    // Registered after the world's cleanup, so it runs first (vitest runs these in reverse), while the worker's client is open.
    onTestFinished(async () => {
      await client.schedule.getHandle(scheduleId).delete().catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
      for await (const run of client.workflow.list({ query: `TaskQueue = "${worker.taskQueue}" AND ExecutionStatus = "Running"` })) {
        await client.workflow.getHandle(run.workflowId, run.runId).terminate('test cleanup').catch(() => undefined);
      }
    });

    // The manual deploy, started as `ops deploy` starts it; it waits at the gate before prod.
    const sha = await fixture.repo.sha('main');
    const manual = await client.workflow.start(deployPipeline, {
      taskQueue: worker.taskQueue,
      workflowId: lockId,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [{ app: fixture.app, ref: 'main', startedBy: 'alice' }],
    });
    await waitFor('the approval gate before prod', async () => (await manual.query(pendingApprovalQuery))?.stage === 'prod', DEPLOY_TEST_TIMEOUT_MS * 0.6, 250);

    // Far from now: the schedule only ever runs when triggered here.
    const weekly: ScheduleDeclaration = {
      workflow: 'deployPipeline',
      cron: '0 3 1 1 *',
      args: { app: fixture.app, ref: 'main', startedBy: `schedule:${scheduleId}`, preApproved: true },
      catchupWindowHours: 6,
      overlap: 'SKIP',
    };
    const plan = await applySchedules(client.schedule, { timeZone: 'UTC', schedules: { [scheduleId]: weekly } }, worker.taskQueue);
    expect(plan.create.map((s) => s.id)).toStrictEqual([scheduleId]);

    const calls = () => [dockerCalls(fixture.stages.staging.project).length, dockerCalls(fixture.stages.prod.project).length];
    const callsBefore = calls();
    const locked = await triggered(client, scheduleId);
    expect(locked.workflowId).toMatch(new RegExp(`^${scheduleId}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
    expect(failureChain(await runFailure(locked))).toStrictEqual([
      ['WorkflowFailedError', undefined, 'Workflow execution failed'],
      ['ApplicationFailure', 'DeployLockHeld', `deploy of ${fixture.app} is already running: ${lockId}; this scheduled run did not start one`],
    ]);
    expect(calls()).toStrictEqual(callsBefore);
    const stillRunning = await client.workflow.getHandle(lockId).describe();
    expect([stillRunning.runId, stillRunning.status.name]).toStrictEqual([manual.firstExecutionRunId, 'RUNNING']);
    expect((await manual.query(pendingApprovalQuery))?.stage).toBe('prod');

    await manual.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'alice' }] });
    expect(await manual.result()).toMatchObject({ sha, outcome: 'succeeded' });

    // The lock is free: the next scheduled run deploys a new commit of main, under deploy-<app>, as its child.
    const next = await fixture.repo.commit('scheduled change', {});
    const scheduled = await triggered(client, scheduleId);
    expect(await scheduled.result()).toMatchObject({ sha: next, outcome: 'succeeded' });
    const child = await client.workflow.getHandle(lockId).describe();
    expect(child.runId).not.toBe(manual.firstExecutionRunId);
    expect([child.type, child.status.name, child.parentExecution?.workflowId]).toStrictEqual(['deployPipeline', 'COMPLETED', scheduled.workflowId]);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${next}`);
    expect(releaseLogOf(fixture.stages.prod.root).map((e) => [e.sha, e.event, e.by, e.workflowId])).toStrictEqual([
      [sha, 'deployed', 'alice', lockId],
      [next, 'deployed', `schedule:${scheduleId}`, lockId],
    ]);
  });
});
