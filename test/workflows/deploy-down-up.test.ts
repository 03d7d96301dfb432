import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentRelease, dockerCalls, healthOf, releaseLogOf } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployWorldForTest, startDeploy } from '../support/deploy-world.js';

describe('deployPipeline with compose.switch: down-up', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('a first deploy builds and starts; the next builds, stops the old release in its own dir, then starts the new one', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ edit: (doc) => (doc.apps[0].compose = { switch: 'down-up' }) }, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const compose = (sha: string, ...subcommand: string[]) => {
      const release = join(staging.root, 'releases', sha);
      return ['compose', '--project-directory', release, '-f', `${release}/docker-compose.yml`, '-p', staging.project, ...subcommand];
    };

    const first = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
    expect(dockerCalls(staging.project)).toEqual([compose(first, 'build'), compose(first, 'up', '-d', '--remove-orphans')]);

    const second = await fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });
    expect(await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).toMatchObject({ sha: second, outcome: 'succeeded' });

    expect(dockerCalls(staging.project)).toEqual([
      compose(first, 'build'),
      compose(first, 'up', '-d', '--remove-orphans'),
      compose(second, 'build'),
      compose(first, 'down'),
      compose(second, 'up', '-d', '--remove-orphans'),
    ]);
    expect(currentRelease(staging.root)).toBe(`releases/${second}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '2.0.0', release: second });
    expect(releaseLogOf(staging.root)).toEqual([
      expect.objectContaining({ sha: first, previous: null, event: 'deployed' }),
      expect.objectContaining({ sha: second, previous: first, event: 'deployed' }),
    ]);
  });
});
