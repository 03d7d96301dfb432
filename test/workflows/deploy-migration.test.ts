import { ApplicationFailure } from '@temporalio/client';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { currentRelease, dockerCalls, healthOf, latestDeployReport } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, runFailure, startDeploy, type DeployWorld } from '../support/deploy-world.js';
import { migrationWorldForTest } from '../support/migration-world.js';

async function deployStaging(world: DeployWorld, ref: string, migrate = false): Promise<string> {
  const result = await (await startDeploy(world, { ref, stages: ['staging'], ...(migrate ? { migrate: true } : {}) })).result();
  expect(result.outcome).toBe('succeeded');
  return latestDeployReport(world.fixture);
}

const DAY_MS = 86_400_000;

/** The migration of these tests: it leaves where it ran in the release dir. */
const MIGRATE = { command: ['sh', '-c', 'pwd > migrated.txt'] };

/** The step names of a report's stage table, in order. */
const stepNames = (report: string) => [...report.matchAll(/^\| ([a-z -]+) \| (?:done|failed|skipped|running) \|/gm)].map((m) => m[1]);

describe.concurrent('deploy: a stage that migrates backs up its database first', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('decides against the running release (not needed, paths changed, not needed, forced) and takes a verified, tagged backup only when it migrates', async ({ onTestFinished }) => {
    const { world, backup } = await migrationWorldForTest(onTestFinished, { migrate: MIGRATE });
    const { repo, app } = world.fixture;
    const migratedIn = (sha: string) => join(world.fixture.stages.staging.root, 'releases', sha, 'migrated.txt');
    const repository = new BackupRepository(backup.config.repository);
    const target = backup.targets.postgres;

    expect(await deployStaging(world, 'main')).toContain('- Migration: not needed: no change under migrations/**\n');
    expect(await repository.list(target)).toEqual([]);

    const migrating = await repo.commit('add a migration', { 'migrations/001-users.sql': 'CREATE TABLE users (id int);\n', 'README.md': 'users\n' });
    const report = await deployStaging(world, migrating);
    expect(report).toContain('- Migration: paths changed: migrations/001-users.sql\n');
    const [made] = await repository.list(target);
    expect(made!.verify?.status).toBe('passed');
    expect(made!.manifest.trigger).toBe('manual');
    expect(made!.manifest.tag?.name).toBe(`pre-deploy-${app}-${migrating}`);
    expect(Date.parse(made!.manifest.tag!.keepUntil) - Date.parse(made!.manifest.startedAt)).toBe(7 * DAY_MS);
    expect(report).toContain(`- Pre-deploy backup: \`${made!.id}\` (pre-deploy-${app}-${migrating}), verify passed\n`);
    expect(report).toMatch(/- Migration run: passed, /);
    expect(stepNames(report)).toEqual(['sync', 'migration plan', 'pre-deploy backup', 'build', 'migrate', 'switch', 'health', 'smoke', 'record']);
    expect(readFileSync(migratedIn(migrating), 'utf8')).toBe(`${join(world.fixture.stages.staging.root, 'releases', migrating)}\n`);
    expect(existsSync(migratedIn('main'))).toBe(false);

    const plain = await repo.commit('version 2', { VERSION: '2.0.0\n' });
    const notNeeded = await deployStaging(world, plain);
    expect(notNeeded).toContain('- Migration: not needed: no change under migrations/**\n');
    expect(notNeeded).not.toContain('Migration run');
    expect(existsSync(migratedIn(plain))).toBe(false);
    expect(await repository.list(target)).toHaveLength(1);

    const forced = await deployStaging(world, plain, true);
    expect(forced).toContain('- Migration: forced (--migrate)\n');
    expect(forced).toMatch(/\| migration plan \| done \|.*forced \(--migrate\)/);
    expect(forced).toMatch(/\| pre-deploy backup \| done \|.*verify passed/);
    expect(await repository.list(target)).toHaveLength(2);
    expect(existsSync(migratedIn(plain))).toBe(true);
  });

  it('a failed migration stops the stage before the switch: the old release keeps serving; the report has the output tail, scrubbed, and the backup', async ({ onTestFinished }) => {
    const failing = { command: ['sh', '-c', 'echo "applying 001-users"; grep DB_PASSWORD .env; echo "duplicate column" >&2; exit 4'] };
    const { world, backup } = await migrationWorldForTest(onTestFinished, { migrate: failing });
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const running = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
    const migrating = await fixture.repo.commit('add a migration', { 'migrations/001-users.sql': 'ALTER TABLE users ADD id int;\n' });

    const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: migrating, stages: ['staging'] }));

    expect(outcome).toBe('failed');
    expect(failure.message).toContain('migration failed (exit 4); not switched');
    expect(currentRelease(staging.root)).toBe(`releases/${running}`);
    expect(await healthOf(staging.baseUrl)).toEqual({ http: 200, version: '1.0.0', release: running });
    expect(dockerCalls(staging.project).filter((argv) => argv.includes('up') && argv.some((a) => a.includes(migrating)))).toEqual([]);
    const report = latestDeployReport(fixture);
    const [made] = await new BackupRepository(backup.config.repository).list(backup.targets.postgres);
    expect(report).toContain(`- Pre-deploy backup: \`${made!.id}\` (pre-deploy-${fixture.app}-${migrating}), verify passed\n`);
    expect(report).toMatch(/- Migration run: failed, exit 4, /);
    expect(report).toContain('```\napplying 001-users\nDB_PASSWORD="[redacted]"\nduplicate column\n```');
    expect(report).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
    expect(stepNames(report)).toEqual(['sync', 'migration plan', 'pre-deploy backup', 'build', 'migrate']);
  });

  it('a first deploy counts every path of the release as changed; keepDays sets the hold', async ({ onTestFinished }) => {
    const { world, backup } = await migrationWorldForTest(onTestFinished, { migrate: { keepDays: 30 } });
    const first = await world.fixture.repo.commit('add migrations', { 'migrations/001.sql': 'SELECT 1;\n', 'migrations/002.sql': 'SELECT 2;\n' });

    expect(await deployStaging(world, first)).toContain('- Migration: paths changed: migrations/001.sql, migrations/002.sql\n');
    const [made] = await new BackupRepository(backup.config.repository).list(backup.targets.postgres);
    expect(Date.parse(made!.manifest.tag!.keepUntil) - Date.parse(made!.manifest.startedAt)).toBe(30 * DAY_MS);
  });

  it('a pre-deploy backup that fails verify stops the stage before the build: the running release keeps serving', async ({ onTestFinished }) => {
    const { world, backup } = await migrationWorldForTest(onTestFinished, { database: { assertions: [{ name: 'impossible', sql: 'SELECT 1', equals: 2 }] } });
    const { fixture } = world;
    const staging = fixture.stages.staging;
    const running = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
    const migrating = await fixture.repo.commit('add a migration', { 'migrations/001.sql': 'SELECT 1;\n' });

    const { failure, outcome } = await deployFailure(await startDeploy(world, { ref: migrating, stages: ['staging'] }));

    expect(outcome).toBe('failed');
    const [made] = await new BackupRepository(backup.config.repository).list(backup.targets.postgres);
    expect(made!.verify?.status).toBe('failed');
    expect(failure.message).toContain(`pre-deploy backup ${made!.id} of ${backup.targets.postgres} did not pass verify`);
    expect(currentRelease(staging.root)).toBe(`releases/${running}`);
    expect(dockerCalls(staging.project).filter((argv) => argv.some((a) => a.includes(migrating)))).toEqual([]);
    const report = latestDeployReport(fixture);
    expect(report).toContain(`- Pre-deploy backup: \`${made!.id}\` (pre-deploy-${fixture.app}-${migrating}), verify failed\n`);
    expect(report).toMatch(/\| pre-deploy backup \| failed \|/);
    expect(report).not.toMatch(/\| build \|/);
  });

  it('an app without migrate: has no migration step, and --migrate is refused before anything runs', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);

    expect(await deployStaging(world, 'main')).not.toContain('Migration');
    const { cause } = await runFailure(await startDeploy(world, { ref: 'main', stages: ['staging'], migrate: true }));

    const failure = cause!.cause as ApplicationFailure;
    expect([failure.type, failure.message]).toEqual(['PreconditionFailed', `--migrate: app "${world.fixture.app}" has no migrate: in the config`]);
  });
});
