import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { DEMO_MARIADB_ROWS, DEMO_POSTGRES_ROWS } from '../../src/local-servers/demo-data.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { mysqlDefaultsOf } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('nightlyBackup on real Temporal, PostgreSQL, MariaDB, rsync and sshd', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'ssh', filesSource: 'ssh' });
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  it('dumps, copies offsite, verify-restores every target and writes the report', async () => {
    const workflowId = worker.workflowId('nightly');
    const result = await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId, args: [{}] });

    expect(result.targets.map((t) => [t.target, t.error])).toEqual(fixture.config.targets.map((t) => [t.name, undefined]));
    const entries = await new BackupRepository(fixture.config.repository).list();
    expect(entries).toHaveLength(3);

    for (const entry of entries) {
      const artifact = join(entry.dir, entry.manifest.artifact);
      expect(entry.verify?.status).toBe('passed');
      expect(entry.offsite?.status).toBe('copied');
      expect(entry.manifest.bytes).toBeGreaterThan(0);
      if (entry.manifest.kind !== 'files') {
        expect(sha256(artifact)).toBe(entry.manifest.sha256);
        const offsiteCopy = join(fixture.offsiteDir, entry.target, entry.stamp, entry.manifest.artifact);
        expect(sha256(offsiteCopy)).toBe(entry.manifest.sha256);
      }
    }

    const pgEntry = entries.find((e) => e.manifest.kind === 'postgres')!;
    expect(pgEntry.manifest.rowCountConsistency).toBe('same-snapshot');
    // Read from the archive's header: the manifest names the pg_dump that wrote it as `pg_dump --version` does.
    expect(pgEntry.manifest.toolVersions).toEqual({ pg_dump: execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }).trim() });
    expect(pgEntry.manifest.tables).toEqual(
      expect.arrayContaining(Object.entries(DEMO_POSTGRES_ROWS).map(([table, rows]) => ({ table: `public.${table}`, rows }))),
    );
    const myEntry = entries.find((e) => e.manifest.kind === 'mysql')!;
    expect(myEntry.manifest.artifact).toBe('dump.sql.zst');
    expect(myEntry.manifest.rowCountConsistency).toBe('global-read-lock');
    expect(myEntry.manifest.databaseDefaults).toEqual(await mysqlDefaultsOf(fixture.myDatabase));
    expect(myEntry.manifest.databaseDefaults?.characterSet).toBeTruthy();
    expect(myEntry.manifest.tables).toEqual(
      expect.arrayContaining(Object.entries(DEMO_MARIADB_ROWS).map(([table, rows]) => ({ table, rows }))),
    );
    const filesEntry = entries.find((e) => e.manifest.kind === 'files')!;
    expect(filesEntry.manifest.files?.map((f) => f.path)).toEqual(['a.txt', 'nested/b.bin']);
    expect(readFileSync(join(fixture.offsiteDir, filesEntry.target, filesEntry.stamp, 'snapshot', 'nested', 'b.bin')))
      .toEqual(readFileSync(join(fixture.filesDir, 'nested', 'b.bin')));

    const report = readFileSync(join(fixture.config.reports, 'backup-report-latest.md'), 'utf8');
    expect(report).toContain('Nightly backup: OK');
    for (const entry of entries) expect(report).toContain(entry.id);
    expect(readdirSync(fixture.config.reports).filter((f) => /^backup-report-\d/.test(f))).toHaveLength(1);
    expect(report).not.toContain(fixture.env.PG_READER_PASSWORD);

    // Workflows carry target names only: no secret reaches Temporal's history, the parent's or a child's.
    const histories = [workflowId, ...fixture.config.targets.map((t) => workflowIds.backupTarget(t.name))];
    for (const id of histories) {
      const history = JSON.stringify(await worker.client.workflow.getHandle(id).fetchHistory());
      expect(history.length).toBeGreaterThan(1000);
      for (const secret of [fixture.env.PG_READER_PASSWORD, fixture.env.MY_READER_PASSWORD, testServers().postgres.adminPassword, testServers().mariadb.adminPassword]) {
        expect(history).not.toContain(secret);
      }
    }

    const { postgres } = testServers();
    const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
    await admin.connect();
    const leftovers = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%'");
    await admin.end();
    expect(leftovers.rows.filter((r) => String(r.datname).includes(fixture.id))).toEqual([]);
    expect(existsSync(join(fixture.config.repository, pgEntry.target))).toBe(true);
  });
});
