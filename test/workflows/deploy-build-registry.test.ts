import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerRegistryDir } from '../global-setup.js';
import { currentRelease, healthOf, latestDeployReport } from '../support/deploy-assertions.js';
import type { DeployFixture } from '../support/deploy-fixture.js';
import { deployFailure, DEPLOY_TEST_TIMEOUT_MS, editedConfig, startDeploy, stageOf } from '../support/deploy-world.js';
import type { DockerHost } from '../support/docker-host.js';
import { testServers } from '../support/servers.js';
import { callsOn, imageIdOn } from '../support/shim-images.js';
import { startProdHostWorld, type ProdHostWorld } from '../support/prod-host-world.js';
import { startTestWorker } from '../support/test-worker.js';

const REGISTRY = 'registry.example.com/team';

/**
 * build.registry over real ssh with two hosts, each running the docker stand-in (test/support/docker-shim)
 * on its own image store. There is no Docker engine here, so no registry client either: the stand-in's
 * push and pull move the image through a directory that plays the registry, shared by both hosts, and an
 * image reaches prod only by that pull.
 */
describe('build.registry: staging builds and pushes, prod pulls the same image (docker stand-in)', () => {
  let world: ProdHostWorld;
  let fixture: DeployFixture;
  let prodHost: DockerHost;
  let firstSha: string;
  const staging = () => testServers().dockerShimState;
  const shippedFor = (sha: string) => `${REGISTRY}/${fixture.app}-app:${sha.slice(0, 12)}`;

  beforeAll(async () => {
    world = await startProdHostWorld({ once: true, registry: REGISTRY });
    ({ fixture, prodHost } = world);
  });
  afterAll(() => world?.stop());

  it('staging pushes <registry>/<app>-<service>:<sha12>, prod pulls it (no build, no load) and runs that image ID with up --no-build', async () => {
    firstSha = await fixture.repo.sha('main');
    const shipped = shippedFor(firstSha);
    const result = await (await startDeploy(world, { ref: 'main' })).result();
    expect(result).toMatchObject({ sha: firstSha, outcome: 'succeeded' });

    expect(callsOn(staging())).toContainEqual(['push', shipped]);
    expect(existsSync(join(dockerRegistryDir(testServers().scratchRoot), `${encodeURIComponent(shipped)}.json`))).toBe(true);
    const prodCalls = callsOn(prodHost.state);
    expect(prodCalls).toContainEqual(['pull', shipped]);
    expect(prodCalls.filter((argv) => argv.includes('build') || argv[0] === 'load')).toEqual([]);
    const release = join(fixture.stages.prod.root, 'releases', firstSha);
    expect(prodCalls).toContainEqual(['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', fixture.stages.prod.project, 'up', '-d', '--remove-orphans', '--no-build']);

    const stagingId = imageIdOn(staging(), shipped);
    expect(stagingId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(imageIdOn(prodHost.state, shipped)).toBe(stagingId);
    expect(imageIdOn(prodHost.state, `${fixture.stages.prod.project}-app:latest`)).toBe(stagingId);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: firstSha });
    expect(latestDeployReport(fixture).match(new RegExp(`- Image: \`${shipped}\` \`${stagingId}\``, 'g'))).toHaveLength(2);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('a pull that fails on prod fails the ship step in one line naming the host and the image; prod is untouched', async () => {
    const nextSha = await fixture.repo.commit('v2', { VERSION: '2.0.0\n' });
    const shipped = shippedFor(nextSha);
    await writeFile(join(prodHost.state, 'PULL_FAIL'), `Error response from daemon: Head "https://registry.example.com/v2/team/${fixture.app}-app/manifests/${nextSha.slice(0, 12)}": unauthorized`);
    const upsBefore = callsOn(prodHost.state).filter((argv) => argv.includes('up')).length;
    try {
      const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: nextSha }));
      expect(outcome).toBe('failed');
      expect(failure.message).toMatch(new RegExp(`on prod: failed: docker pull ${shipped} on prodhost failed \\(exit 1\\): Error response from daemon: Head .*: unauthorized$`));
    } finally {
      await rm(join(prodHost.state, 'PULL_FAIL'));
    }
    expect(callsOn(staging())).toContainEqual(['push', shipped]);
    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${nextSha}`);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${firstSha}`);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, version: '1.0.0', release: firstSha });
    expect(callsOn(prodHost.state).filter((argv) => argv.includes('up'))).toHaveLength(upsBefore);
    expect(imageIdOn(prodHost.state, shipped)).toBeUndefined();
    expect(latestDeployReport(fixture)).toMatch(/\| ship \| failed \|/);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('a push that fails on staging fails its build step, naming the host and the image, before staging switches', async () => {
    const running = currentRelease(fixture.stages.staging.root);
    const nextSha = await fixture.repo.commit('v3', { VERSION: '3.0.0\n' });
    const pushFail = join(staging(), 'PUSH_FAIL');
    await writeFile(pushFail, 'denied: requested access to the resource is denied');
    try {
      const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: nextSha }));
      expect(outcome).toBe('failed');
      expect(failure.message).toMatch(new RegExp(`on staging: failed: docker push ${shippedFor(nextSha)} on local failed \\(exit 1\\): .*denied: requested access to the resource is denied$`));
    } finally {
      await rm(pushFail);
    }
    expect(currentRelease(fixture.stages.staging.root)).toBe(running);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${firstSha}`);
    expect(callsOn(prodHost.state).filter((argv) => argv.includes(shippedFor(nextSha)))).toEqual([]);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('a rollback to a release shipped before the registry was set puts back its SHA tag without the registry', async () => {
    const withoutRegistry = await startTestWorker(await editedConfig(fixture, (doc) => (doc.apps[0].build = { once: true })));
    const loaded = await fixture.repo.commit('v4', { VERSION: '4.0.0\n' });
    try {
      expect(await (await startDeploy(world, { ref: loaded }, withoutRegistry)).result()).toMatchObject({ outcome: 'succeeded' });
    } finally {
      await withoutRegistry.stop();
    }
    const plain = `${fixture.app}-app:${loaded.slice(0, 12)}`;
    const project = fixture.stages.prod.project;
    const failing = await startTestWorker(await editedConfig(fixture, (doc) => (stageOf(doc, 'prod').env.HEALTH_FAIL_AFTER_MS = '0')));
    try {
      const nextSha = await fixture.repo.commit('v5', { VERSION: '5.0.0\n' });
      const callsBefore = callsOn(prodHost.state).length;
      const { outcome } = await deployFailure(await startDeploy(world, { ref: nextSha }, failing));
      expect(outcome).toBe('rolled-back');
      expect(callsOn(prodHost.state).slice(callsBefore)).toContainEqual(['pull', shippedFor(nextSha)]);
      const release = join(fixture.stages.prod.root, 'releases', loaded);
      expect(callsOn(prodHost.state).slice(-2)).toEqual([
        ['tag', plain, `${project}-app`],
        ['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', project, 'up', '-d', '--remove-orphans', '--no-build'],
      ]);
      expect(imageIdOn(prodHost.state, `${project}-app:latest`)).toBe(imageIdOn(prodHost.state, plain));
      expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${loaded}`);
      expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: loaded });
    } finally {
      await failing.stop();
    }
  }, DEPLOY_TEST_TIMEOUT_MS);
});
