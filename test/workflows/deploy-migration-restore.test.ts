import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { approveUpdate, pendingApprovalQuery } from '../../src/workflows/deploy-signals.js';
import { innermostMessage } from '../../src/workflows/progress.js';
import { currentRelease, latestDeployReport } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, editedConfig, stageOf, startDeploy } from '../support/deploy-world.js';
import { migrationWorldForTest } from '../support/migration-world.js';
import { dropRestoredDatabases, targetsAsAdmin } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { waitFor } from '../support/wait-for.js';

async function adminQuery(database: string, sql: string): Promise<pg.QueryResult> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const hasMarker = async (database: string) => (await adminQuery(database, "SELECT to_regclass('public.migrated_marker') IS NOT NULL AS present")).rows[0].present as boolean;

/**
 * A migrated stage whose health gate then fails: the code rolls back, and the run waits at the gate
 * offering the database restore. The migration's effect on the database is the marker table the test
 * creates once the migration step ran (the migration command itself runs on the ssh host).
 */
async function failedAfterMigration(onFinished: (cleanup: () => Promise<void>) => void) {
  const { world, backup } = await migrationWorldForTest(onFinished, { backupEdit: targetsAsAdmin });
  onFinished(() => dropRestoredDatabases('postgres', backup.id));
  const { fixture } = world;
  const running = (await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result()).sha;
  const unhealthy = await world.startWorker(await editedConfig(fixture, (doc) => (stageOf(doc, 'staging').env.HEALTH_FAIL_AFTER_MS = '0')));
  const migrating = await fixture.repo.commit(`migration ${randomBytes(2).toString('hex')}`, { 'migrations/001.sql': 'CREATE TABLE migrated_marker (id int);\n' });
  const handle = await startDeploy(world, { ref: migrating, stages: ['staging'] }, unhealthy);
  await waitFor('the database restore gate', async () => (await handle.query(pendingApprovalQuery)) !== null, 180_000, 500);
  const pending = (await handle.query(pendingApprovalQuery))!;
  await adminQuery(backup.pgDatabase, 'CREATE TABLE migrated_marker (id int)');
  return { world, backup, handle, pending, running, migrating };
}

describe.concurrent('deploy: after a migrated stage failed, a human decides whether the database goes back', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('approved with --restore-db: the code rolled back, the database is restored from the pre-deploy backup, the migrated one kept aside', async ({ onTestFinished }) => {
    const { world, backup, handle, pending, running } = await failedAfterMigration(onTestFinished);
    const staging = world.fixture.stages.staging;
    expect(currentRelease(staging.root)).toBe(`releases/${running}`);
    expect(pending).toMatchObject({ stage: 'staging database restore', restoreDb: { database: backup.targets.postgres } });
    const backupId = pending.restoreDb!.backupId;

    // A plain approve (meant for a stage gate) never restores a database.
    const refused: unknown = await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'alice' }] }).then(() => undefined, (err: unknown) => err);
    expect(innermostMessage(refused)).toBe(`this gate offers to restore ${backup.targets.postgres} from ${backupId}: approve with --restore-db, or decline with --reject`);
    await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'alice', restoreDb: true, reason: 'bad migration' }] });
    const { outcome } = await deployFailure(handle);

    expect(outcome).toBe('rolled-back');
    expect(await hasMarker(backup.pgDatabase)).toBe(false);
    const report = latestDeployReport(world.fixture);
    const keptAs = /migrated database kept as (\S+)\n/.exec(report)?.[1];
    expect(keptAs).toMatch(new RegExp(`^${backup.pgDatabase}_before_restore_`));
    expect(await hasMarker(keptAs!)).toBe(true);
    expect(report).toContain(`- Database restore: approved by alice (bad migration): passed, migrated database kept as ${keptAs}\n`);
    expect(report).toMatch(new RegExp(`\\| database restore \\| done \\|.*restored ${backup.targets.postgres} from ${backupId}`));
  });

  it('declined: the code rolled back, the database stays migrated, nothing is restored', async ({ onTestFinished }) => {
    const { world, backup, handle, running } = await failedAfterMigration(onTestFinished);

    await handle.executeUpdate(approveUpdate, { args: [{ approved: false, by: 'bob', reason: 'old code reads the new schema' }] });
    const { outcome } = await deployFailure(handle);

    expect(outcome).toBe('rolled-back');
    expect(currentRelease(world.fixture.stages.staging.root)).toBe(`releases/${running}`);
    expect(await hasMarker(backup.pgDatabase)).toBe(true);
    const kept = await adminQuery('postgres', `SELECT datname FROM pg_database WHERE datname LIKE '${backup.pgDatabase}_before_restore_%'`);
    expect(kept.rows).toEqual([]);
    const report = latestDeployReport(world.fixture);
    expect(report).toContain('- Database restore: declined by bob (old code reads the new schema); the database stays migrated\n');
    expect(report).toMatch(/\| database restore \| skipped \|.*declined by bob/);
  });
});
