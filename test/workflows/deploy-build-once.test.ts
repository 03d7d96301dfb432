import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRelease, dockerCalls, healthOf, latestDeployReport } from '../support/deploy-assertions.js';
import type { DeployFixture } from '../support/deploy-fixture.js';
import { deployFailure, DEPLOY_TEST_TIMEOUT_MS, editedConfig, startDeploy, stageOf } from '../support/deploy-world.js';
import type { DockerHost } from '../support/docker-host.js';
import { testServers } from '../support/servers.js';
import { callsOn, imageIdOn } from '../support/shim-images.js';
import { startProdHostWorld, type ProdHostWorld } from '../support/prod-host-world.js';
import { startTestWorker } from '../support/test-worker.js';

describe('build.once: staging builds, prod gets the same images shipped (two hosts over real ssh, docker stand-in)', () => {
  let world: ProdHostWorld;
  let fixture: DeployFixture;
  let prodHost: DockerHost;
  let firstSha: string;

  beforeAll(async () => {
    world = await startProdHostWorld({ once: true });
    ({ fixture, prodHost } = world);
  });
  afterAll(() => world?.stop());

  it('prod runs the image ID staging built: it never builds, loads the SHA-tagged image and starts it with up --no-build', async () => {
    firstSha = await fixture.repo.sha('main');
    const shipped = `${fixture.app}-app:${firstSha.slice(0, 12)}`;
    const result = await (await startDeploy(world, { ref: 'main' })).result();
    expect(result).toMatchObject({ sha: firstSha, outcome: 'succeeded' });

    const stagingId = imageIdOn(testServers().dockerShimState, shipped);
    expect(stagingId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(imageIdOn(prodHost.state, shipped)).toBe(stagingId);
    expect(imageIdOn(prodHost.state, `${fixture.stages.prod.project}-app:latest`)).toBe(stagingId);

    const prodCalls = callsOn(prodHost.state);
    expect(prodCalls.filter((argv) => argv.includes('build'))).toEqual([]);
    expect(prodCalls).toContainEqual(['load']);
    const release = join(fixture.stages.prod.root, 'releases', firstSha);
    expect(prodCalls).toContainEqual(['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', fixture.stages.prod.project, 'up', '-d', '--remove-orphans', '--no-build']);
    expect(dockerCalls(fixture.stages.staging.project).filter((argv) => argv.at(-1) === 'build')).toHaveLength(1);
    expect(callsOn(testServers().dockerShimState)).toContainEqual(['save', shipped]);

    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: firstSha });
    const report = latestDeployReport(fixture);
    expect(report.match(new RegExp(`- Image: \`${shipped}\` \`${stagingId}\``, 'g'))).toHaveLength(2);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('an image that never arrives on prod (docker load fails) fails the stage before its switch; the old release keeps serving', async () => {
    const nextSha = await fixture.repo.commit('v2', { VERSION: '2.0.0\n' });
    await writeFile(join(prodHost.state, 'LOAD_FAIL'), 'Error processing tar file(exit status 1): unexpected EOF');
    const upsBefore = callsOn(prodHost.state).filter((argv) => argv.includes('up')).length;

    const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: nextSha }));
    expect(outcome).toBe('failed');
    expect(failure.message).toMatch(/on prod: failed: docker load on prodhost failed \(exit 1\): Error processing tar file/);

    expect(currentRelease(fixture.stages.staging.root)).toBe(`releases/${nextSha}`);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${firstSha}`);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, version: '1.0.0', release: firstSha });
    expect(callsOn(prodHost.state).filter((argv) => argv.includes('up'))).toHaveLength(upsBefore);
    expect(imageIdOn(prodHost.state, `${fixture.app}-app:${nextSha.slice(0, 12)}`)).toBeUndefined();
    expect(latestDeployReport(fixture)).toMatch(/\| ship \| failed \|/);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('an image that arrives with another ID fails the stage before its switch, naming both IDs', async () => {
    await rm(join(prodHost.state, 'LOAD_FAIL'));
    await writeFile(join(prodHost.state, 'LOAD_CORRUPT'), '');
    const nextSha = await fixture.repo.commit('v3', { VERSION: '3.0.0\n' });
    const shipped = `${fixture.app}-app:${nextSha.slice(0, 12)}`;
    const upsBefore = callsOn(prodHost.state).filter((argv) => argv.includes('up')).length;

    const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: nextSha }));
    expect(outcome).toBe('failed');
    const built = imageIdOn(testServers().dockerShimState, shipped)!;
    const got = imageIdOn(prodHost.state, shipped)!;
    expect(got).not.toBe(built);
    expect(failure.message).toContain(`on prod: failed: images on prodhost (prod) differ from those built on local (staging): ${shipped}: built ${built}, got ${got}`);
    expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${firstSha}`);
    expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: firstSha });
    expect(callsOn(prodHost.state).filter((argv) => argv.includes('up'))).toHaveLength(upsBefore);
  }, DEPLOY_TEST_TIMEOUT_MS);

  it('a prod release that fails its health gate rolls back to the images prod ran before: their SHA tag is put back under compose\'s name', async () => {
    await rm(join(prodHost.state, 'LOAD_CORRUPT'));
    const failing = await editedConfig(fixture, (doc) => (stageOf(doc, 'prod').env.HEALTH_FAIL_AFTER_MS = '0'));
    const worker = await startTestWorker(failing);
    try {
      const nextSha = await fixture.repo.commit('v4', { VERSION: '4.0.0\n' });
      const project = fixture.stages.prod.project;
      const firstImage = `${fixture.app}-app:${firstSha.slice(0, 12)}`;
      const callsBefore = callsOn(prodHost.state).length;

      const { outcome } = await deployFailure(await startDeploy(world, { ref: nextSha }, worker));
      expect(outcome).toBe('rolled-back');
      expect(imageIdOn(prodHost.state, `${fixture.app}-app:${nextSha.slice(0, 12)}`)).toBe(imageIdOn(testServers().dockerShimState, `${fixture.app}-app:${nextSha.slice(0, 12)}`));
      expect(imageIdOn(prodHost.state, `${project}-app:latest`)).toBe(imageIdOn(prodHost.state, firstImage));
      const rollback = callsOn(prodHost.state).slice(callsBefore);
      const release = join(fixture.stages.prod.root, 'releases', firstSha);
      expect(rollback.slice(-2)).toEqual([
        ['tag', firstImage, `${project}-app`],
        ['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', project, 'up', '-d', '--remove-orphans', '--no-build'],
      ]);
      expect(currentRelease(fixture.stages.prod.root)).toBe(`releases/${firstSha}`);
      expect(await healthOf(fixture.stages.prod.baseUrl)).toMatchObject({ http: 200, release: firstSha });
    } finally {
      await worker.stop();
    }
  }, DEPLOY_TEST_TIMEOUT_MS);
});

