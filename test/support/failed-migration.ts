import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pendingApprovalQuery } from '../../src/workflows/deploy-signals.js';
import { editedConfig, stageOf, startDeploy, type OnFinished } from './deploy-world.js';
import { migrationWorldForTest } from './migration-world.js';
import { dropRestoredDatabases, targetsAsAdmin } from './restored-databases.js';
import { testServers } from './servers.js';
import { waitFor } from './wait-for.js';

/** One SQL statement on the test PostgreSQL server as its admin. */
export async function adminQuery(database: string, sql: string): Promise<pg.QueryResult> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A migrated stage whose health gate then fails: the code rolls back, and the run waits at the gate
 * offering the database restore. The migration's effect on the database is the marker table created
 * here once the migration step ran (the migration command itself runs on the ssh host).
 */
export async function failedAfterMigration(onFinished: OnFinished) {
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
