import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { roleTaskQueue, workflowIds } from '../../src/temporal/names.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { currentRelease } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/** How long a chain nobody takes the steps of must stay untaken: planBackup is a quick step, done in well under a second when a backup worker polls. */
const UNTAKEN_MS = 5_000;

/** `ops worker --role backup|deploy|all`: every role runs workflows; each takes only its own steps, from <queue>-<role>. */
describe('workers by role', () => {
  let backup: BackupFixture;
  let deploy: DeployFixture;
  let connection: Connection;
  let client: Client;
  const workers: TestWorker[] = [];
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    backup = await makeBackupFixture({ offsite: 'none' });
    connection = await Connection.connect({ address: testServers().temporalAddress });
    client = new Client({ connection });
  });
  afterAll(async () => {
    for (const worker of processes) await worker.kill();
    for (const worker of workers) await worker.stop();
    await connection?.close();
    await backup?.cleanup();
    await deploy?.cleanup();
  });

  const chainOf = (taskQueue: string) =>
    client.workflow.start(nightlyBackup, { taskQueue, workflowId: `nightly-role-${randomBytes(4).toString('hex')}`, args: [{ targets: [backup.targets.postgres] }] });

  it('a backup-role worker alone runs the chain, its steps on <queue>-backup', async () => {
    const worker = await startTestWorker(backup.config, { role: 'backup' });
    workers.push(worker);
    const handle = await chainOf(worker.taskQueue);
    const result = await handle.result();
    expect(result.targets).toEqual([{ target: backup.targets.postgres, backupId: expect.any(String) }]);
    expect((await new BackupRepository(backup.config.repository).get(result.targets[0]!.backupId!)).verify?.status).toBe('passed');
    const events = (await handle.fetchHistory()).events ?? [];
    const queues = new Set(events.map((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name).filter(Boolean));
    expect([...queues]).toEqual([roleTaskQueue(worker.taskQueue, 'backup')]);
  });

  it('a deploy-role worker alone takes the workflow task but none of the chain\'s steps; a backup worker started later finishes it', async () => {
    const orchestrator = await startTestWorker(backup.config, { role: 'deploy', identity: 'orchestrator' });
    workers.push(orchestrator);
    const handle = await chainOf(orchestrator.taskQueue);
    await new Promise((resolve) => setTimeout(resolve, UNTAKEN_MS));
    const waiting = await activityRuns(client, handle.workflowId);
    expect(waiting.map((r) => [r.activity, r.outcome, r.startedAt])).toEqual([['runLink', 'running', undefined]]);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    const backupHost = await startTestWorker(backup.config, { role: 'backup', identity: 'backup-host', taskQueue: orchestrator.taskQueue });
    workers.push(backupHost);
    const result = await handle.result();
    expect(result.targets.map((t) => [t.target, t.error])).toEqual([[backup.targets.postgres, undefined]]);
    const ranOn = new Set((await activityRuns(client, handle.workflowId)).map((r) => r.identity));
    expect([...ranOn]).toEqual(['backup-host']);
  });

  it('a backup host and an orchestrator, each `ops worker` on its own config, run a backup and a deploy, while the orchestrator is down the backup still runs', async () => {
    deploy = await makeDeployFixture();
    const taskQueue = `roles-${randomBytes(4).toString('hex')}`;
    const backupHost = await startWorkerProcess({ configFile: backup.configFile, env: backup.env, taskQueue, role: 'backup' });
    processes.push(backupHost);
    const orchestrator = await startWorkerProcess({ configFile: deploy.configFile, env: deploy.env, taskQueue, role: 'deploy' });
    processes.push(orchestrator);
    expect(orchestrator.output()).toContain(`polling task queue "${taskQueue}" and "${roleTaskQueue(taskQueue, 'deploy')}" (role deploy)`);

    const sha = await deploy.repo.sha('main');
    const deployed = await client.workflow.execute(deployPipeline, { taskQueue, workflowId: `${workflowIds.deploy(deploy.app)}-${randomBytes(4).toString('hex')}`, args: [{ app: deploy.app, ref: 'main', startedBy: 'test' }] });
    expect(deployed).toMatchObject({ sha, outcome: 'succeeded' });
    for (const stage of Object.values(deploy.stages)) expect(currentRelease(stage.root)).toBe(`releases/${sha}`);
    const backedUp = await (await chainOf(taskQueue)).result();
    expect(backedUp.targets.map((t) => [t.target, t.error])).toEqual([[backup.targets.postgres, undefined]]);

    await orchestrator.kill();
    const alone = await (await chainOf(taskQueue)).result();
    expect(alone.targets.map((t) => [t.target, t.error])).toEqual([[backup.targets.postgres, undefined]]);
  });
});
