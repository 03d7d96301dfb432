import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { approveUpdate, pendingApprovalQuery, progressQuery, type deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { currentRelease, deployRootEntries, dockerCalls, healthOf, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import type { DeployFixture } from '../support/deploy-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, failureChain, startDeploy } from '../support/deploy-world.js';
import { waitFor } from '../support/wait-for.js';

type DeployHandle = WorkflowHandle<typeof deployPipeline>;

/**
 * Waits until the deploy stands at the approval gate before `stage`; staging takes a few ssh round
 * trips first. A deploy that ended before it (a staging step failed) fails the wait at once, with
 * its failure, instead of at the timeout with none.
 */
async function gateReached(handle: DeployHandle, stage: string): Promise<void> {
  await waitFor(`the approval gate before ${stage}`, async () => {
    if ((await handle.query(pendingApprovalQuery))?.stage === stage) return true;
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return false;
    const why = await handle.result().then(() => 'it completed', (err: unknown) => failureChain(err).map(([, , message]) => message).join(' ← '));
    throw new Error(`the deploy ended ${status.name} before the approval gate before ${stage}: ${why}`);
  }, DEPLOY_TEST_TIMEOUT_MS * 0.8, 250);
}

/** An approve update the workflow refuses: the validator's message, from the failure chain. */
async function refusedUpdate(handle: DeployHandle, decision: { approved: boolean; by: string; reason?: string }): Promise<string> {
  const error: unknown = await handle.executeUpdate(approveUpdate, { args: [decision] }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return failureChain(error).at(-1)![2];
}

/** Staging runs the new release, prod never saw a compose call or a file. */
async function expectOnlyStagingDeployed(fixture: DeployFixture, sha: string): Promise<void> {
  expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${sha}`);
  expect(await healthOf(fixture.stages.staging.baseUrl)).toMatchObject({ http: 200, release: sha });
  expect(dockerCalls(fixture.stages.prod.project)).toEqual([]);
  expect(deployRootEntries(fixture.stages.prod.root)).toEqual([]);
}

describe.concurrent('deployPipeline approval gate before prod', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('waits after staging until approved, then deploys prod and names the approver in the report, with the wait timed', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ approvalBeforeProd: true }, onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.sha('main');
    const handle = await startDeploy(world, { ref: 'main' });

    await gateReached(handle, 'prod');
    // What approving ships: the ref as given and the SHA it resolved to.
    expect(await handle.query(pendingApprovalQuery)).toEqual({ stage: 'prod', since: expect.any(String), timeoutMinutes: 60, ref: 'main', sha });
    const waiting = (await handle.query(progressQuery)).find((s) => s.step === 'prod approval');
    expect(waiting).toEqual({ step: 'prod approval', status: 'running', detail: 'waiting: ops deploy approve', startedAt: expect.any(String) });
    await expectOnlyStagingDeployed(fixture, sha);
    expect(await refusedUpdate(handle, { approved: true, by: '' })).toBe('an approval must say who gives it');

    const approvedAt = Date.now();
    expect(await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'alice', reason: 'looks good' }] })).toEqual({ stage: 'prod' });
    expect(await handle.result()).toMatchObject({ sha, outcome: 'succeeded' });

    expect(await handle.query(pendingApprovalQuery)).toBeNull();
    const approval = (await handle.query(progressQuery)).find((s) => s.step === 'prod approval')!;
    expect(approval).toMatchObject({ status: 'done', detail: 'approved by alice', startedAt: waiting!.startedAt });
    // The wait ran from reaching the gate to alice's answer: it ends after it began, and not before the answer was sent.
    expect(Date.parse(approval.finishedAt!)).toBeGreaterThan(Date.parse(approval.startedAt!));
    expect(Date.parse(approval.finishedAt!)).toBeGreaterThanOrEqual(approvedAt - 1000);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${sha}`);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: sha });
    expect(releaseLogOf(fixture.stages.prod.root)).toEqual([expect.objectContaining({ sha, event: 'deployed', by: 'test' })]);
    const report = latestDeployReport(fixture);
    expect(report).toContain('## prod: deployed');
    expect(report).toContain('- Approval: approved by alice (looks good)');
    expect(report).toMatch(/\| approval \| done \| \d+(\.\d)?s \| approved by alice \|/);
  });

  it('two answers at once: the first decides the gate, the other is refused naming it, and the report names the one that counted', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ approvalBeforeProd: true }, onTestFinished);
    const { fixture } = world;
    const handle = await startDeploy(world, { ref: 'main' });
    await gateReached(handle, 'prod');

    const answers = [{ approved: true, by: 'alice', reason: 'ship it' }, { approved: false, by: 'bob', reason: 'wait' }];
    const settled = await Promise.allSettled(answers.map((answer) => handle.executeUpdate(approveUpdate, { args: [answer] })));
    const won = settled.findIndex((s) => s.status === 'fulfilled');
    const winner = answers[won]!;
    const lost = settled[1 - won]!;
    expect(settled[won]).toEqual({ status: 'fulfilled', value: { stage: 'prod' } });
    expect(lost.status).toBe('rejected');
    const refusal = (lost as PromiseRejectedResult).reason as unknown;
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(failureChain(refusal).at(-1)![2]).toBe(`the approval before prod was already ${winner.approved ? 'approved' : 'rejected'} by ${winner.by}`);

    await handle.result().catch(() => undefined);
    expect(latestDeployReport(fixture)).toContain(`- Approval: ${winner.approved ? 'approved' : 'rejected'} by ${winner.by} (${winner.reason})`);
  });

  it('a reject stops the deploy before prod: DeployRejected, staging keeps the new release, prod is never touched', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ approvalBeforeProd: true }, onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.sha('main');
    const handle = await startDeploy(world, { ref: 'main' });

    await gateReached(handle, 'prod');
    expect(await handle.executeUpdate(approveUpdate, { args: [{ approved: false, by: 'bob', reason: 'not during the sale' }] })).toEqual({ stage: 'prod' });
    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('rejected');
    expect(failure.type).toBe('DeployRejected');
    expect(failure.message).toBe(`${fixture.app} ${sha.slice(0, 12)} on prod: rejected`);
    await expectOnlyStagingDeployed(fixture, sha);
    expect(releaseLogOf(fixture.stages.staging.root)).toEqual([expect.objectContaining({ sha, event: 'deployed' })]);
    const report = latestDeployReport(fixture);
    expect(report).toContain('## staging: deployed');
    expect(report).toContain('## prod: stopped: approval rejected or timed out');
    expect(report).toContain('- Approval: rejected by bob (not during the sale)');
  });

  it('no answer within the approval timeout counts as a reject by "timeout"', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ approvalBeforeProd: true, approvalTimeoutMinutes: 0.05 }, onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.sha('main');
    const handle = await startDeploy(world, { ref: 'main' });

    const { failure, outcome } = await deployFailure(handle);

    expect(outcome).toBe('rejected');
    expect(failure.type).toBe('DeployRejected');
    await expectOnlyStagingDeployed(fixture, sha);
    const report = latestDeployReport(fixture);
    expect(report).toContain('## prod: stopped: approval rejected or timed out');
    expect(report).toContain('- Approval: rejected by timeout (no answer within 0.05 min)');
  });

  it('an approval while no gate is waiting is refused by the validator and changes nothing', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ approvalBeforeProd: true }, onTestFinished);
    const { fixture } = world;
    const sha = await fixture.repo.sha('main');
    // Staging alone: the plan has no gate, so nothing is ever pending in this run.
    const handle = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    await waitFor('the staging build', async () => (await handle.query(progressQuery)).some((s) => s.step === 'staging build' && s.status === 'running'), DEPLOY_TEST_TIMEOUT_MS * 0.8, 100);

    expect(await refusedUpdate(handle, { approved: true, by: 'mallory', reason: 'early' })).toBe('no approval is pending for this deploy');
    expect(await handle.result()).toMatchObject({ sha, outcome: 'succeeded' });

    const report = latestDeployReport(fixture);
    expect(report).not.toContain('Approval:');
    expect(report).not.toContain('mallory');
    expect(report).not.toContain('## prod');
  });
});
