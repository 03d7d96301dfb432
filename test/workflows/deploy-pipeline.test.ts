import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReleaseLog } from '../../src/core/release-log.js';
import { workflowIds } from '../../src/temporal/names.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { currentRelease, dockerCalls, fileMode, healthOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

describe('deployPipeline: staging → prod over real ssh, with the docker stand-in', () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let firstSha: string;

  beforeAll(async () => {
    fixture = await makeDeployFixture();
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    for (const stage of Object.values(fixture?.stages ?? {})) {
      await fetch(`${stage.baseUrl}/`).catch(() => undefined);
    }
    await worker?.stop();
    await fixture?.cleanup();
  });

  const deploy = (ref: string) =>
    worker.client.workflow.start(deployPipeline, {
      taskQueue: worker.taskQueue,
      workflowId: `${workflowIds.deploy(fixture.app)}-${worker.workflowId('t')}`,
      args: [{ app: fixture.app, ref, startedBy: 'test' }],
    });

  it('deploys the ref to staging then prod: release dir, 0600 .env, current, compose argv, health, smoke, release log, report', async () => {
    firstSha = await fixture.repo.sha('main');
    const handle = await deploy('main');
    const result = await handle.result();
    expect(result).toMatchObject({ sha: firstSha, outcome: 'succeeded' });

    for (const [name, stage] of Object.entries(fixture.stages)) {
      const release = join(stage.root, 'releases', firstSha);
      expect(currentRelease(stage.root)).toBe(`releases/${firstSha}`);
      expect(existsSync(join(release, 'server.js'))).toBe(true);
      expect(existsSync(join(release, '.git'))).toBe(false);
      expect(fileMode(join(release, '.env'))).toBe(0o600);
      const dotenv = readFileSync(join(release, '.env'), 'utf8');
      expect(dotenv).toContain(`DB_PASSWORD="${fixture.env.DEPLOY_DB_PASSWORD}"`);
      expect(dotenv).toContain(`PORT="${stage.port}"`);
      expect(await healthOf(stage.baseUrl)).toMatchObject({ http: 200, version: '1.0.0', release: firstSha });
      expect(dockerCalls(stage.project)).toEqual([
        ['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', stage.project, 'build'],
        ['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', stage.project, 'up', '-d', '--remove-orphans'],
      ]);
      const log = parseReleaseLog(readFileSync(join(stage.root, 'releases.log'), 'utf8'));
      expect(log).toEqual([expect.objectContaining({ app: fixture.app, stage: name, sha: firstSha, previous: null, event: 'deployed', by: 'test', ref: 'main' })]);
    }

    const report = readFileSync(join(fixture.config.reports, `deploy-${fixture.app}-latest.md`), 'utf8');
    expect(report).toContain(`# Deploy ${fixture.app} ${firstSha.slice(0, 12)}: deployed`);
    expect(report).toContain('## staging: deployed');
    expect(report).toContain('## prod: deployed');
    expect(report).toMatch(/Smoke \(smoke\): passed, exit 0/);
    expect(report).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
  });

  it('a release that fails its health gate on staging is rolled back there, and prod is never touched', async () => {
    const badSha = await fixture.repo.commit('break health', { HEALTH_FAIL: 'yes', VERSION: '2.0.0-broken\n' });
    const prodCallsBefore = dockerCalls(fixture.stages.prod.project).length;
    const handle = await deploy(badSha);
    const failure = await handle.result().then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.message).toMatch(new RegExp(`on staging: rolled-back: health gate: .*/health not healthy after 15s`));

    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${firstSha}`);
    expect(await healthOf(fixture.stages.staging.baseUrl)).toMatchObject({ http: 200, release: firstSha });
    expect(dockerCalls(fixture.stages.prod.project)).toHaveLength(prodCallsBefore);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${firstSha}`);
    const log = parseReleaseLog(readFileSync(join(fixture.stages.staging.root, 'releases.log'), 'utf8'));
    expect(log.at(-1)).toMatchObject({ event: 'rolled-back', sha: badSha, previous: firstSha });
    const report = readFileSync(join(fixture.config.reports, `deploy-${fixture.app}-latest.md`), 'utf8');
    expect(report).toContain('## staging: FAILED, rolled back and healthy');
    expect(report).toContain('## prod: skipped');
  });
});
