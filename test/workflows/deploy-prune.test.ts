import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentRelease, releaseLogOf } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployWorldForTest, startDeploy, type DeployWorld } from '../support/deploy-world.js';

async function deployed(world: DeployWorld, ref: string): Promise<string> {
  const result = await (await startDeploy(world, { ref, stages: ['staging'] })).result();
  expect(result.outcome).toBe('succeeded');
  return result.sha;
}

describe('deployPipeline keeps app.keepReleases release dirs on the host', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('with keepReleases 2, each deploy past the second removes the oldest dir, never current or the release it replaced', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ edit: (doc) => { doc.apps[0].keepReleases = 2; } }, onTestFinished);
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const releases = () => readdirSync(join(staging.root, 'releases')).sort();

    const first = await deployed(world, 'main');
    const second = await deployed(world, await fixture.repo.commit('second', { VERSION: '1.1.0\n' }));
    expect(releases()).toEqual([first, second].sort());

    const thirdRef = await fixture.repo.commit('third', { VERSION: '1.2.0\n' });
    const third = await deployed(world, thirdRef);
    expect(releases()).toEqual([second, third].sort());
    expect(currentRelease(staging.root)).toBe(`releases/${third}`);
    expect(releaseLogOf(staging.root).map((e) => [e.event, e.sha, e.previous])).toEqual([
      ['deployed', first, null],
      ['deployed', second, first],
      ['deployed', third, second],
    ]);
  });
});
