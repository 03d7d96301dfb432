import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityRuns } from '../support/activity-history.js';
import { freeAppPort } from '../support/app-port.js';
import { currentRelease, healthOf, latestDeployReport, releaseLogOf } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { deployFailure, DEPLOY_TEST_TIMEOUT_MS, editedConfig, startDeploy, stageOf, type DeployWorld } from '../support/deploy-world.js';
import { startDockerHost, type DockerHost } from '../support/docker-host.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** One host of the prod stage: its name in the config, its deploy root, its app's URL and its docker stand-in's state. */
interface ProdHost {
  name: string;
  root: string;
  baseUrl: string;
  state: string;
}

/** The app's "container" on one host: the release dir it runs from, and whether its process is alive. */
function runningOn(host: ProdHost, project: string): { release: string; alive: boolean } | undefined {
  const file = join(host.state, `${project}.json`);
  if (!existsSync(file)) return undefined;
  const { pid, projectDir } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; projectDir: string };
  const alive = (() => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  })();
  return { release: projectDir.split('/').at(-1)!, alive };
}

/**
 * Prod on three hosts, each its own sshd with its own docker stand-in (the test sshd and two more),
 * its own deploy root and its own app port (the host entries' path and env), switched two at a time.
 * Staging stays one host; the tests deploy prod alone.
 */
describe('a stage of three hosts, rollout parallel 2 (three sshds, docker stand-in)', () => {
  let fixture: DeployFixture;
  let world: DeployWorld;
  const extra: DockerHost[] = [];
  const workers: TestWorker[] = [];
  let prod: ProdHost[];
  let first: string;

  beforeAll(async () => {
    const scratch = await mkdtemp(join(testServers().scratchRoot, 'multihost-'));
    for (const name of ['web2', 'web3']) extra.push(await startDockerHost(join(scratch, name)));
    const knownHosts = join(scratch, 'known_hosts');
    await writeFile(knownHosts, (await Promise.all(extra.map((h) => readFile(h.knownHostsFile, 'utf8')))).join(''));
    const others = await Promise.all(extra.map(async (h, i) => ({ name: `web${i + 2}`, port: await freeAppPort(), root: join(scratch, `web${i + 2}`, 'app'), state: h.state, ssh: h.ssh })));
    for (const other of others) await mkdir(other.root, { recursive: true });
    fixture = await makeDeployFixture({
      edit: (doc) => {
        doc.ssh.knownHostsFile = knownHosts;
        for (const other of others) doc.hosts[other.name] = { ssh: other.ssh };
        const stage = stageOf(doc, 'prod');
        delete stage.host;
        stage.hosts = [
          'local',
          ...others.map((o) => ({ host: o.name, path: o.root, env: { PORT: String(o.port) }, health: { url: `http://127.0.0.1:${o.port}/health`, timeoutSeconds: 4 } })),
        ];
        stage.rollout = { parallel: 2 };
      },
    });
    prod = [
      { name: 'local', root: fixture.stages.prod.root, baseUrl: fixture.stages.prod.baseUrl, state: testServers().dockerShimState },
      ...others.map((o) => ({ name: o.name, root: o.root, baseUrl: `http://127.0.0.1:${o.port}`, state: o.state })),
    ];
    const worker = await startTestWorker(fixture.config);
    workers.push(worker);
    world = { fixture, worker, startWorker: startTestWorker };
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    for (const host of extra) await host.stop();
    await fixture?.cleanup();
  });

  const project = () => fixture.stages.prod.project;

  it('deploys to every host: syncs and builds on all three at once, switches two and then one, each behind its own health gate; smoke once', async () => {
    first = await fixture.repo.sha('main');
    const handle = await startDeploy(world, { ref: 'main', stages: ['prod'], skipPromotionCheck: true });
    expect(await handle.result()).toMatchObject({ sha: first, outcome: 'succeeded' });

    for (const host of prod) {
      expect(currentRelease(host.root)).toBe(`releases/${first}`);
      expect(await healthOf(host.baseUrl)).toMatchObject({ http: 200, release: first });
      expect(runningOn(host, project())).toEqual({ release: first, alive: true });
      expect(releaseLogOf(host.root).map((e) => [e.event, e.sha, e.previous])).toEqual([['deployed', first, null]]);
      // The host entry's env over the stage's: each host's .env has its own port and the stage's greeting.
      const dotenv = readFileSync(join(host.root, 'releases', first, '.env'), 'utf8');
      expect(dotenv).toContain(`PORT="${new URL(host.baseUrl).port}"`);
      expect(dotenv).toContain('APP_GREETING="hello from prod"');
    }
    const steps = (await activityRuns(world.worker.client, handle.workflowId)).map((r) => r.activity).filter((a) => ['syncRelease', 'buildRelease', 'switchRelease', 'checkHealth', 'runSmoke', 'recordRelease'].includes(a));
    // Every sync is scheduled at once, each host builds as soon as its own sync is done, and no switch starts before every build is done.
    expect(steps.slice(0, 3)).toEqual(['syncRelease', 'syncRelease', 'syncRelease']);
    expect(steps.slice(3, 6)).toEqual(['buildRelease', 'buildRelease', 'buildRelease']);
    expect(steps.slice(6)).toEqual([
      'switchRelease', 'switchRelease', 'checkHealth', 'checkHealth',
      'switchRelease', 'checkHealth',
      'runSmoke',
      'recordRelease', 'recordRelease', 'recordRelease',
    ]);
    const report = latestDeployReport(fixture);
    expect(report).toContain('## prod: deployed');
    for (const host of prod) expect(report).toContain(`| ${host.name} | none | \`${first.slice(0, 12)}\` | passed | deployed |  |  |`);
    expect(report).toContain('| switch web3 | done |');
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('one host of three fails its health gate: it and the host switched with it go back to their own previous release; the third is never touched', async () => {
    // web2's app goes red as soon as it listens, for releases synced under this config.
    const config = await editedConfig(fixture, (doc) => {
      stageOf(doc, 'prod').hosts[1].env.HEALTH_FAIL_AFTER_MS = '0';
    });
    const worker = await startTestWorker(config);
    workers.push(worker);
    const web3Before = readFileSync(join(prod[2]!.state, `${project()}.json`), 'utf8');
    const next = await fixture.repo.commit('v2', { VERSION: '2.0.0\n' });

    const { outcome } = await deployFailure(await startDeploy(world, { ref: next, stages: ['prod'], skipPromotionCheck: true }, worker));
    expect(outcome).toBe('rolled-back');

    const [local, web2, web3] = prod as [ProdHost, ProdHost, ProdHost];
    for (const host of [local, web2]) {
      expect(currentRelease(host.root)).toBe(`releases/${first}`);
      expect(await healthOf(host.baseUrl)).toMatchObject({ http: 200, release: first });
      expect(runningOn(host, project())).toEqual({ release: first, alive: true });
      expect(releaseLogOf(host.root).map((e) => [e.event, e.sha, e.previous])).toEqual([
        ['deployed', first, null],
        ['rolled-back', next, first],
      ]);
    }
    expect(releaseLogOf(web2.root)[1]!.detail).toMatch(/^web2: health gate/);
    // web3: never switched, so the same container, the same `current` and no new log line.
    expect(currentRelease(web3.root)).toBe(`releases/${first}`);
    expect(readFileSync(join(web3.state, `${project()}.json`), 'utf8')).toBe(web3Before);
    expect(runningOn(web3, project())).toEqual({ release: first, alive: true });
    expect(releaseLogOf(web3.root).map((e) => e.event)).toEqual(['deployed']);

    const report = latestDeployReport(fixture);
    expect(report).toContain('## prod: FAILED, rolled back and healthy');
    expect(report).toContain(`| local | \`${first.slice(0, 12)}\` | \`${next.slice(0, 12)}\` | passed | rolled-back |  |  |`);
    expect(report).toMatch(new RegExp(`\\| web2 \\| \`${first.slice(0, 12)}\` \\| \`${next.slice(0, 12)}\` \\| failed \\| rolled-back \\| health gate[^|]*\\|  \\|`));
    expect(report).toContain(`| web3 | \`${first.slice(0, 12)}\` | — | — | not switched |  |  |`);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('the smoke suite fails after every host switched: all three go back', async () => {
    const next = await fixture.repo.commit('v3 fails its smoke test', { VERSION: '3.0.0\n', SMOKE_FAIL: 'forced\n' });
    const { outcome } = await deployFailure(await startDeploy(world, { ref: next, stages: ['prod'], skipPromotionCheck: true }));
    expect(outcome).toBe('rolled-back');

    for (const host of prod) {
      expect(currentRelease(host.root)).toBe(`releases/${first}`);
      expect(await healthOf(host.baseUrl)).toMatchObject({ http: 200, release: first });
      expect(runningOn(host, project())).toEqual({ release: first, alive: true });
      expect(releaseLogOf(host.root).at(-1)).toMatchObject({ event: 'rolled-back', sha: next, previous: first, detail: expect.stringContaining('smoke tests failed') });
    }
    const report = latestDeployReport(fixture);
    for (const host of prod) expect(report).toContain(`| ${host.name} | \`${first.slice(0, 12)}\` | \`${next.slice(0, 12)}\` | passed | rolled-back |  |  |`);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('ops rollback --host, ops prune and ops logs act on one host, or on every host of the stage', async () => {
    const next = await fixture.repo.commit('v4', { VERSION: '4.0.0\n', SMOKE_FAIL: null });
    expect(await (await startDeploy(world, { ref: next, stages: ['prod'], skipPromotionCheck: true })).result()).toMatchObject({ outcome: 'succeeded' });
    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: world.worker.taskQueue };
    const cli = (...args: string[]) => runCli(['--config', fixture.configFile, ...args], env);

    const back = await cli('rollback', fixture.app, '--stage', 'prod', '--host', 'web3');
    expect([back.exitCode, back.stderr]).toEqual([0, '']);
    expect(back.stdout).toContain(`${fixture.app} on prod (web3): rolled back from ${next.slice(0, 12)} to ${first.slice(0, 12)}, healthy`);
    expect(prod.map((host) => currentRelease(host.root))).toEqual([`releases/${next}`, `releases/${next}`, `releases/${first}`]);
    expect(releaseLogOf(prod[2]!.root).at(-1)).toMatchObject({ event: 'manual-rollback', sha: first, previous: next });
    expect(await healthOf(prod[2]!.baseUrl)).toMatchObject({ http: 200, release: first });

    const unknown = await cli('rollback', fixture.app, '--stage', 'prod', '--host', 'web9');
    expect([unknown.exitCode, unknown.stderr.trim()]).toEqual([2, `error: unknown host "web9" of stage "prod" of app "${fixture.app}" (configured: local, web2, web3)`]);

    const prune = await cli('prune', fixture.app, '--stage', 'prod', '--keep', '2', '--dry-run');
    expect(prune.exitCode).toBe(0);
    expect(prune.stdout.split('\n').filter((line) => line.startsWith(`${fixture.app} on prod`))).toEqual([
      // Four releases each; current, the release it replaced and the rollback target stay.
      `${fixture.app} on prod (local): would remove 1, kept 3 (keep 2; current ${next.slice(0, 12)})`,
      `${fixture.app} on prod (web2): would remove 1, kept 3 (keep 2; current ${next.slice(0, 12)})`,
      expect.stringMatching(new RegExp(`^${fixture.app} on prod \\(web3\\): would remove \\d, kept \\d \\(keep 2; current ${first.slice(0, 12)}\\)$`)),
    ]);

    const one = await cli('logs', fixture.app, '--stage', 'prod', '--host', 'web2');
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toContain(`release ${next}`);
    expect(one.stdout).not.toContain('==>');
    const all = await cli('logs', fixture.app, '--stage', 'prod');
    expect(all.exitCode).toBe(0);
    expect(all.stdout.split('\n').filter((line) => line.startsWith('==>'))).toEqual(['==> local <==', '==> web2 <==', '==> web3 <==']);
    expect(all.stdout).not.toContain(fixture.env.DEPLOY_DB_PASSWORD!);
    const follow = await cli('logs', fixture.app, '--stage', 'prod', '--follow');
    expect([follow.exitCode, follow.stderr.trim()]).toEqual([2, `error: --follow reads one host: stage "prod" of app "${fixture.app}" has 3 (local, web2, web3); pick one with --host`]);
  }, DEPLOY_TEST_TIMEOUT_MS);
});
