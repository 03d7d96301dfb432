import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { currentRelease, releaseLogOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** A release dir rsync began and never finished: on the host, never in its release log. */
const ORPHAN = 'f'.repeat(40);

/** `ops prune` through the real CLI, worker, sshd and docker stand-in, after three real deploys of staging. */
describe('ops prune APP --stage S', { timeout: 600_000 }, () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  const shas: string[] = [];

  beforeAll(async () => {
    fixture = await makeDeployFixture();
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    for (const version of ['1.1.0', '1.2.0', '1.3.0']) {
      const sha = await fixture.repo.commit(`version ${version}`, { VERSION: `${version}\n` });
      expect((await cli('deploy', fixture.app, '--ref', sha, '--stages', 'staging', '--wait')).exitCode).toBe(0);
      shas.push(sha);
    }
    await mkdir(join(fixture.stages.staging.root, 'releases', ORPHAN));
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const cli = (...args: string[]) => runCli(['--config', fixture.configFile, ...args], env);
  const releases = () => readdirSync(join(fixture.stages.staging.root, 'releases')).sort();

  it('--keep below 2 is a usage error (exit 2); --dry-run lists what would go and removes nothing; the default keepReleases (5) removes nothing', async () => {
    const low = await cli('prune', fixture.app, '--stage', 'staging', '--keep', '1');
    expect([low.exitCode, low.stderr.trim()]).toEqual([2, 'error: --keep must be a whole number of at least 2 (current and the release before it stay), got "1"']);

    const dry = await cli('prune', fixture.app, '--stage', 'staging', '--keep', '2', '--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout.trim().split('\n').slice(-3)).toEqual([
      ...[shas[0]!, ORPHAN].sort().map((sha) => `would remove releases/${sha}`),
      `${fixture.app} on staging (local): would remove 2, kept 2 (keep 2; current ${shas[2]!.slice(0, 12)})`,
    ]);
    expect(releases()).toEqual([...shas, ORPHAN].sort());

    const byDefault = await cli('prune', fixture.app, '--stage', 'staging');
    expect(byDefault.exitCode).toBe(0);
    expect(byDefault.stdout).toContain(`${fixture.app} on staging (local): removed 0, kept 4 (keep 5; current ${shas[2]!.slice(0, 12)})`);
    expect(releases()).toEqual([...shas, ORPHAN].sort());
  });

  it('refused with exit 3 while a deploy of the app holds deploy-<app>, and while the app is locked; nothing removed', async () => {
    // A deploy no worker picks up: it holds the id for as long as the test needs.
    const deploy = await worker.client.workflow.start(deployPipeline, {
      taskQueue: `nobody-${fixture.app}`,
      workflowId: workflowIds.deploy(fixture.app),
      args: [{ app: fixture.app, ref: 'main', startedBy: 'test' }],
    });
    try {
      const busy = await cli('prune', fixture.app, '--stage', 'staging', '--keep', '2');
      expect([busy.exitCode, busy.stderr.trim()]).toEqual([3, `error: prune refused: a deploy or rollback of ${fixture.app} is running (deploy-${fixture.app}); prune after it ends`]);
    } finally {
      await deploy.terminate('test done');
    }

    expect((await cli('lock', fixture.app, '--reason', 'incident', '--by', 'alice')).exitCode).toBe(0);
    try {
      const locked = await cli('prune', fixture.app, '--stage', 'staging', '--keep', '2');
      expect(locked.exitCode).toBe(3);
      expect(locked.stderr.trim()).toMatch(new RegExp(`^error: prune refused: deploys of ${fixture.app} are locked by alice since .+: incident \\(ops unlock ${fixture.app} releases it\\)$`));
    } finally {
      expect((await cli('unlock', fixture.app)).exitCode).toBe(0);
    }
    expect(releases()).toEqual([...shas, ORPHAN].sort());
  });

  it('--keep 2 removes the oldest release and the dir the log never mentions; current and the release it replaced stay, the log is untouched', async () => {
    const logBefore = releaseLogOf(fixture.stages.staging.root);
    const pruned = await cli('prune', fixture.app, '--stage', 'staging', '--keep', '2');
    expect(pruned.stderr).toBe('');
    expect(pruned.exitCode).toBe(0);
    expect(pruned.stdout).toContain(`${fixture.app} on staging (local): removed 2, kept 2 (keep 2; current ${shas[2]!.slice(0, 12)})`);
    expect(releases()).toEqual([shas[1]!, shas[2]!].sort());
    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${shas[2]}`);
    expect(releaseLogOf(fixture.stages.staging.root)).toEqual(logBefore);

    const run = await worker.client.workflow.getHandle(workflowIds.deploy(fixture.app)).describe();
    expect([run.type, run.status.name]).toEqual(['pruneStage', 'COMPLETED']);
    const status = await cli('deploy', 'status', fixture.app);
    expect(status.stdout).toMatch(new RegExp(`^deploy-${fixture.app}: COMPLETED, a prune \\(ops prune\\), not a deploy \\(started `, 'm'));
    expect(status.stdout).toContain(`the latest deploy's report: ${fixture.config.reports}/deploy-${fixture.app}-latest.md`);
  });
});
