import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { activityRuns } from '../support/activity-history.js';
import { currentRelease, healthOf, releaseLogOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, stageOf } from '../support/deploy-world.js';
import { testServers } from '../support/servers.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const HEALTH_SLOW_MS = 8000;

describe('a worker killed while a deploy step runs', () => {
  let fixture: DeployFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // Staging's release listens only after 8 s, so the health gate is still polling when the worker dies.
    fixture = await makeDeployFixture({
      edit: (doc) => {
        const staging = stageOf(doc, 'staging');
        staging.env.HEALTH_SLOW_MS = String(HEALTH_SLOW_MS);
        staging.health.timeoutSeconds = 30;
      },
    });
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    // Worker processes run detached from vitest: kill them here whatever happened in the test.
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await fixture?.cleanup();
  });

  it('runs the health gate again on the next worker, and the deploy succeeds', async () => {
    const client = new Client({ connection: connection! });
    const taskQueue = `deploy-crash-${randomBytes(4).toString('hex')}`;
    const startWorker = async () => {
      const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
      workers.push(worker);
      return worker;
    };
    const staging = fixture.stages.staging;
    const sha = await fixture.repo.sha('main');

    const first = await startWorker();
    const workflowId = `${workflowIds.deploy(fixture.app)}-${randomBytes(4).toString('hex')}`;
    const handle = await client.workflow.start(deployPipeline, { taskQueue, workflowId, args: [{ app: fixture.app, ref: 'main', stages: ['staging'], startedBy: 'test' }] });

    await waitFor('the health gate to poll on the first worker', async () => {
      const { raw } = await handle.describe();
      return (raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'checkHealth' && a.lastStartedTime != null);
    }, DEPLOY_TEST_TIMEOUT_MS * 0.8, 200);
    await first.kill();

    // Temporal notices the dead worker when its heartbeats stop for the heartbeat timeout (20 s).
    await startWorker();
    expect(await handle.result()).toMatchObject({ sha, outcome: 'succeeded' });

    const [health, ...moreHealth] = await activityRuns(client, workflowId, 'checkHealth');
    expect(moreHealth).toEqual([]);
    expect(health).toMatchObject({ attempt: 2, outcome: 'completed', lastFailure: { type: 'timeout HEARTBEAT' } });
    expect((await activityRuns(client, workflowId, 'switchRelease')).map((r) => r.attempt)).toEqual([1]);
    expect(currentRelease(staging.root)).toBe(`releases/${sha}`);
    expect(await healthOf(staging.baseUrl)).toMatchObject({ http: 200, release: sha });
    expect(releaseLogOf(staging.root)).toEqual([expect.objectContaining({ sha, event: 'deployed' })]);
  }, DEPLOY_TEST_TIMEOUT_MS);
});
