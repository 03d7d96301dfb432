import { describe, expect, it } from 'vitest';
import { approveUpdate } from '../../src/workflows/deploy-signals.js';
import { innermostMessage } from '../../src/workflows/progress.js';
import { currentRelease, latestDeployReport } from '../support/deploy-assertions.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure } from '../support/deploy-world.js';
import { adminQuery, failedAfterMigration } from '../support/failed-migration.js';

const hasMarker = async (database: string) => (await adminQuery(database, "SELECT to_regclass('public.migrated_marker') IS NOT NULL AS present")).rows[0].present as boolean;

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
