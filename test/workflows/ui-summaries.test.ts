import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { backupWatchdog } from '../../src/workflows/backup-watchdog.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { rollbackStage } from '../../src/workflows/rollback-stage.js';
import { scheduledDeploy } from '../../src/workflows/scheduled-deploy.js';
import { backupWorldForTest, runNightly } from '../support/backup-world.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployWorldForTest, startDeploy } from '../support/deploy-world.js';
import { workflowBundle } from '../support/test-worker.js';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

const summaryOf = (event: HistoryEvent): string | undefined => {
  const payload = event.userMetadata?.summary;
  return payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined;
};

/** What the Web UI's timeline labels each scheduled activity: [activity type, summary], in order. */
const activitySummaries = (history: History) =>
  (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [e.activityTaskScheduledEventAttributes!.activityType!.name, summaryOf(e)]);

/** And each child workflow the run started: [workflow id, summary]. */
const childSummaries = (history: History) =>
  (history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).map((e) => [e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId, summaryOf(e)]);

/** The history as a run started before summaries existed recorded it. */
const withoutSummaries = (history: History): History => ({ ...history, events: (history.events ?? []).map((e) => ({ ...e, userMetadata: null })) });

/** Replays the history as recorded, and as one without summaries: labels are metadata, never part of what a replay compares. */
async function expectReplays(history: History, workflowId: string): Promise<void> {
  const bundle = await workflowBundle();
  await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
  await Worker.runReplayHistory({ workflowBundle: bundle }, withoutSummaries(history), workflowId);
}

describe('the Web UI timeline reads on its own: runs, children and activities carry summaries', () => {
  it('a nightly chain of two targets: each child is "backup <target>", each step names its target or backup', async () => {
    const world = await backupWorldForTest();
    const { postgres: pg, files, mysql } = world.fixture.targets;
    const { workflowId, result } = await runNightly(world, { targets: [pg, files] });
    const [pgId, filesId] = result.targets.map((t) => t.backupId);
    const { client } = world.worker;

    const parent = await client.workflow.getHandle(workflowId).fetchHistory();
    expect(childSummaries(parent)).toEqual([
      [workflowIds.backupTarget(pg), `backup ${pg}`],
      [workflowIds.backupTarget(files), `backup ${files}`],
    ]);
    expect(activitySummaries(parent)).toEqual([
      ['runLink', 'link to this run'],
      ['planBackup', `plan backup ${pg}, ${files}`],
      ['applyRetention', `retention ${pg}, ${files}`],
      ['writeBackupReport', `report of ${pg}, ${files}`],
      ['evaluateBackupHealth', 'backup health'],
      // The third target, never backed up here, has no backup within the RPO.
      ['sendAlert', `alert rpo-exceeded ${mysql}`],
    ]);

    for (const [target, backupId] of [[pg, pgId], [files, filesId]]) {
      const child = client.workflow.getHandle(workflowIds.backupTarget(target!));
      expect(await (await child.describe()).staticSummary()).toBe(`backup ${target}`);
      const history = await child.fetchHistory();
      expect(activitySummaries(history)).toEqual([
        ['dumpTarget', `dump ${target}`],
        ['verifyBackup', `verify ${backupId}`],
        ['recordBackupRun', `history of ${target}`],
      ]);
      await expectReplays(history, workflowIds.backupTarget(target!));
    }
    await expectReplays(parent, workflowId);
  });

  it('a scheduled deploy: its child is "deploy <app> <ref> → staging, prod", each step names app@stage and the SHA', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async ({ onTestFinished }) => {
    const { fixture, worker } = await deployWorldForTest({}, onTestFinished);
    const { client } = worker;
    const sha = (await fixture.repo.sha('main')).slice(0, 12);
    const workflowId = worker.workflowId('scheduled-deploy');
    await client.workflow.execute(scheduledDeploy, {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [{ app: fixture.app, ref: 'main', stages: ['staging', 'prod'], startedBy: 'test' }],
    });

    const parent = await client.workflow.getHandle(workflowId).fetchHistory();
    const deployId = workflowIds.deploy(fixture.app);
    expect(childSummaries(parent)).toEqual([[deployId, `deploy ${fixture.app} main → staging, prod`]]);
    const deploy = client.workflow.getHandle(deployId);
    expect(await (await deploy.describe()).staticSummary()).toBe(`deploy ${fixture.app} main → staging, prod`);

    const history = await deploy.fetchHistory();
    const stage = (name: string) => [
      ['syncRelease', `sync ${fixture.app}@${name} ${sha}`],
      ['buildRelease', `build ${fixture.app}@${name} ${sha}`],
      ['switchRelease', `switch ${fixture.app}@${name} to ${sha}`],
      ['checkHealth', `health ${fixture.app}@${name}`],
      ['runSmoke', `smoke ${fixture.app}@${name}`],
      ['recordRelease', `log deployed ${fixture.app}@${name} ${sha}`],
    ];
    expect(activitySummaries(history)).toEqual([
      ['planDeploy', `plan deploy of ${fixture.app}`],
      ['resolveRef', `resolve ${fixture.app} main`],
      ['prepareRelease', `export ${fixture.app} ${sha}`],
      ...stage('staging'),
      ...stage('prod'),
      ['writeDeployReport', `report of deploy ${fixture.app} ${sha}`],
    ]);
    await expectReplays(history, deployId);
    await expectReplays(parent, workflowId);
  });

  it('a restore drill and the watchdog: each step names the backup, target or drill it works on', async () => {
    const world = await backupWorldForTest({ offsite: 'local' });
    const { postgres: pg, mysql, files } = world.fixture.targets;
    const { result } = await runNightly(world, { targets: [pg] });
    const backupId = result.targets[0]!.backupId!;
    const { client, taskQueue } = world.worker;

    const drillId = world.worker.workflowId('drill');
    const record = await client.workflow.execute(restoreDrill, { taskQueue, workflowId: drillId, args: [{ target: pg, pick: 'latest' }] });
    const drill = await client.workflow.getHandle(drillId).fetchHistory();
    expect(activitySummaries(drill)).toEqual([
      ['runLink', 'link to this run'],
      ['pickDrillBackup', `pick a backup of ${pg} (latest)`],
      ['fetchOffsiteCopy', `fetch offsite copy of ${backupId}`],
      ['restoreDrillCopy', `restore and check ${backupId}`],
      ['compareWithEarlierDrills', `restore time of ${pg}`],
      ['removeDrillWorkDir', `remove work dir of ${record.id}`],
      ['recordDrill', `record ${record.id} of ${pg}`],
    ]);
    await expectReplays(drill, drillId);

    const watchdogId = world.worker.workflowId('watchdog');
    await client.workflow.execute(backupWatchdog, { taskQueue, workflowId: watchdogId, args: [] });
    const watchdog = await client.workflow.getHandle(watchdogId).fetchHistory();
    expect(activitySummaries(watchdog)).toEqual([
      ['runLink', 'link to this run'],
      ['evaluateBackupHealth', 'backup health'],
      // The two targets never backed up here have no backup within the RPO (in the config's order).
      ...[mysql, files].map((target) => ['sendAlert', `alert rpo-exceeded ${target}`]),
      ['surveyScheduleRuns', 'schedule runs'],
      ['recordScheduleRuns', 'record schedule runs'],
    ]);
    await expectReplays(watchdog, watchdogId);
  });

  it('a manual rollback: each step names app@stage, and the switch and log line the release', { timeout: DEPLOY_TEST_TIMEOUT_MS }, async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture, worker } = world;
    const first = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
    const second = await fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });
    await (await startDeploy(world, { ref: second, stages: ['staging'] })).result();

    const workflowId = `${workflowIds.deploy(fixture.app)}-${worker.workflowId('rollback')}`;
    await worker.client.workflow.execute(rollbackStage, { taskQueue: worker.taskQueue, workflowId, args: [{ app: fixture.app, stage: 'staging', startedBy: 'test' }] });

    const where = `${fixture.app}@staging`;
    const history = await worker.client.workflow.getHandle(workflowId).fetchHistory();
    expect(activitySummaries(history)).toEqual([
      ['readReleaseState', `release state ${where}`],
      ['switchRelease', `switch ${where} to ${first.slice(0, 12)}`],
      ['checkHealth', `health ${where}`],
      ['recordRelease', `log manual-rollback ${where} ${first.slice(0, 12)}`],
      ['writeRollbackReport', `rollback report ${where}`],
    ]);
    await expectReplays(history, workflowId);
  });
});
