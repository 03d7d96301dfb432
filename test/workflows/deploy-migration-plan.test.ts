import { ApplicationFailure } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { latestDeployReport } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployWorldForTest, runFailure, startDeploy, type DeployWorld } from '../support/deploy-world.js';

/** The fixture's app with a migration of a (never reached here) backup target, run when migrations/** changed. */
const withMigration = (doc: Record<string, any>) => {
  doc.databases = [{ name: 'app-db', url: 'postgres://ops@127.0.0.1:1/app' }];
  doc.backup = { verify: { postgres: { url: 'postgres://admin@127.0.0.1:1' } } };
  doc.apps[0].migrate = { command: ['true'], database: 'app-db', when: { paths: ['migrations/**'] } };
};

async function deployStaging(world: DeployWorld, ref: string, migrate = false): Promise<string> {
  const result = await (await startDeploy(world, { ref, stages: ['staging'], ...(migrate ? { migrate: true } : {}) })).result();
  expect(result.outcome).toBe('succeeded');
  return latestDeployReport(world.fixture);
}

describe.concurrent('deploy decides whether a stage migrates', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('against the running release: not needed, paths changed, not needed again, forced; the report says which', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ edit: withMigration }, onTestFinished);
    const { repo } = world.fixture;

    expect(await deployStaging(world, 'main')).toContain('- Migration: not needed: no change under migrations/**\n');

    const migrating = await repo.commit('add a migration', { 'migrations/001-users.sql': 'CREATE TABLE users (id int);\n', 'README.md': 'users\n' });
    expect(await deployStaging(world, migrating)).toContain('- Migration: paths changed: migrations/001-users.sql\n');

    const plain = await repo.commit('version 2', { VERSION: '2.0.0\n' });
    expect(await deployStaging(world, plain)).toContain('- Migration: not needed: no change under migrations/**\n');

    const forced = await deployStaging(world, plain, true);
    expect(forced).toContain('- Migration: forced (--migrate)\n');
    expect(forced).toMatch(/\| migration plan \| done \|.*forced \(--migrate\)/);
  });

  it('a first deploy counts every path of the release as changed', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({ edit: withMigration }, onTestFinished);
    const first = await world.fixture.repo.commit('add migrations', { 'migrations/001.sql': 'SELECT 1;\n', 'migrations/002.sql': 'SELECT 2;\n' });

    expect(await deployStaging(world, first)).toContain('- Migration: paths changed: migrations/001.sql, migrations/002.sql\n');
  });

  it('an app without migrate: has no migration step, and --migrate is refused before anything runs', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);

    expect(await deployStaging(world, 'main')).not.toContain('Migration');
    const { cause } = await runFailure(await startDeploy(world, { ref: 'main', stages: ['staging'], migrate: true }));

    expect(cause).toBeInstanceOf(Error);
    const failure = cause!.cause as ApplicationFailure;
    expect([failure.type, failure.message]).toEqual(['PreconditionFailed', `--migrate: app "${world.fixture.app}" has no migrate: in the config`]);
  });
});
