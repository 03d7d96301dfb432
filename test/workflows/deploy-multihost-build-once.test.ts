import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeAppPort } from '../support/app-port.js';
import { currentRelease, healthOf, latestDeployReport } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, startDeploy, stageOf, type DeployWorld } from '../support/deploy-world.js';
import { startDockerHost, type DockerHost } from '../support/docker-host.js';
import { testServers } from '../support/servers.js';
import { startTestWorker } from '../support/test-worker.js';

/** Every call the docker stand-in of one host answered, in order. */
function callsOn(state: string): string[][] {
  const file = join(state, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { argv: string[] }).argv);
}

function imageIdOn(state: string, ref: string): string | undefined {
  const store = JSON.parse(readFileSync(join(state, 'images', 'store.json'), 'utf8')) as { tags: Record<string, string> };
  return store.tags[ref];
}

/**
 * build.once with a first stage of two hosts: staging on the test sshd and a second sshd, prod on a
 * third; each sshd has its own docker stand-in image store, so an image reaches a host only by
 * `save | load`.
 */
describe('build.once on a stage of several hosts (three sshds, docker stand-in)', () => {
  let fixture: DeployFixture;
  let world: DeployWorld;
  let staging2: DockerHost;
  let prodHost: DockerHost;
  let staging2Url: string;
  let staging2Root: string;

  beforeAll(async () => {
    const scratch = await mkdtemp(join(testServers().scratchRoot, 'multihost-once-'));
    staging2 = await startDockerHost(join(scratch, 'staging2'));
    prodHost = await startDockerHost(join(scratch, 'prod'));
    const knownHosts = join(scratch, 'known_hosts');
    await writeFile(knownHosts, (await readFile(staging2.knownHostsFile, 'utf8')) + (await readFile(prodHost.knownHostsFile, 'utf8')));
    const port = await freeAppPort();
    staging2Url = `http://127.0.0.1:${port}`;
    staging2Root = join(scratch, 'staging2', 'app');
    await mkdir(staging2Root, { recursive: true });
    fixture = await makeDeployFixture({
      edit: (doc) => {
        doc.ssh.knownHostsFile = knownHosts;
        doc.hosts.staging2 = { ssh: staging2.ssh };
        doc.hosts.prodhost = { ssh: prodHost.ssh };
        doc.apps[0].build = { once: true };
        const staging = stageOf(doc, 'staging');
        delete staging.host;
        staging.hosts = ['local', { host: 'staging2', path: staging2Root, env: { PORT: String(port) }, health: { url: `${staging2Url}/health` } }];
        stageOf(doc, 'prod').host = 'prodhost';
      },
    });
    world = { fixture, worker: await startTestWorker(fixture.config), startWorker: startTestWorker };
  });
  afterAll(async () => {
    await world?.worker.stop();
    await staging2?.stop();
    await prodHost?.stop();
    await fixture?.cleanup();
  });

  it('the first host of the first stage builds; the other staging host and prod get its images shipped, the same IDs on each, listed per host', async () => {
    const sha = await fixture.repo.sha('main');
    const shipped = `${fixture.app}-app:${sha.slice(0, 12)}`;
    expect(await (await startDeploy(world, { ref: 'main' })).result()).toMatchObject({ sha, outcome: 'succeeded' });

    const built = imageIdOn(testServers().dockerShimState, shipped);
    expect(built).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const host of [staging2, prodHost]) {
      expect(imageIdOn(host.state, shipped)).toBe(built);
      expect(callsOn(host.state).filter((argv) => argv.includes('build'))).toEqual([]);
      expect(callsOn(host.state)).toContainEqual(['load']);
    }
    expect(currentRelease(staging2Root)).toBe(`releases/${sha}`);
    expect(await healthOf(staging2Url)).toMatchObject({ http: 200, release: sha });
    expect(await healthOf(fixture.stages.staging.baseUrl)).toMatchObject({ http: 200, release: sha });
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: sha });

    const report = latestDeployReport(fixture);
    for (const host of ['local', 'staging2']) expect(report).toContain(`| ${host} | none | \`${sha.slice(0, 12)}\` | passed | deployed |  | ${shipped} ${built} |`);
    expect(report).toContain('| build local | done |');
    expect(report).toContain('| ship staging2 | done |');
    expect(report).toContain(`## prod: deployed\n\n- Replaced release: none (first deploy)\n- Image: \`${shipped}\` \`${built}\``);
  }, DEPLOY_TEST_TIMEOUT_MS);
});
