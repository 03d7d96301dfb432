import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { verifyBackupRun } from '../../src/workflows/verify-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** A cancel from the UI (or the client) must reach the child process and leave nothing behind. */
describe('cancelling a backup or a verify', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let pgTarget: string;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    pgTarget = fixture.config.targets.find((t) => t.kind === 'postgres')!.name;
    const { postgres } = testServers();
    const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: fixture.pgDatabase });
    await admin.connect();
    // Enough incompressible-ish data that pg_dump and pg_restore each run for several seconds.
    await admin.query(`CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) || repeat(md5(random()::text), 3) AS payload FROM generate_series(1, 1500000) g`);
    await admin.end();
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const dumpRunning = async () => (await execa('pgrep', ['-f', `pg_dump.*${fixture.pgDatabase}`], { reject: false })).stdout.trim() !== '';

  it('a cancel during the dump kills pg_dump and removes the partial backup', async () => {
    const handle = await worker.client.workflow.start(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('cancel-dump'), args: [{ targets: [pgTarget] }] });
    await waitFor(dumpRunning, 60_000);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    await waitFor(async () => !(await dumpRunning()), 30_000);
    const targetDir = join(fixture.config.repository, pgTarget);
    await waitFor(async () => !existsSync(targetDir) || readdirSync(targetDir).length === 0, 30_000);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });

  it('a cancel during the verify-restore kills pg_restore and drops the scratch database', async () => {
    const done = await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('full'), args: [{ targets: [pgTarget] }] });
    const backupId = done.targets[0]!.backupId!;
    const handle = await worker.client.workflow.start(verifyBackupRun, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('cancel-verify'), args: [{ backupId }] });
    const restoring = async () => (await execa('pgrep', ['-f', 'pg_restore.*verify_'], { reject: false })).stdout.trim() !== '';
    await waitFor(restoring, 60_000);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    await waitFor(async () => !(await restoring()), 30_000);
    const { postgres } = testServers();
    const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
    await admin.connect();
    const scratch = `verify_${pgTarget.replace(/-/g, '_')}_%`;
    await waitFor(async () => (await admin.query('SELECT 1 FROM pg_database WHERE datname LIKE $1', [scratch])).rowCount === 0, 30_000);
    await admin.end();
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
