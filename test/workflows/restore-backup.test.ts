import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { restoreServerOf } from '../../src/activities/restore/restore-server.js';
import { restoreWhileHashing } from '../../src/activities/restore/restore-while-hashing.js';
import { restoreDatabase } from '../../src/activities/verify/restore-and-check.js';
import { findTarget } from '../../src/config/lookups.js';
import type { DatabaseTarget } from '../../src/config/target.js';
import { PreconditionFailed } from '../../src/core/errors.js';
import { restoreScratchName, stampOf } from '../../src/core/backup-id.js';
import { restoredDatabaseName } from '../../src/core/restore-pick.js';
import type { RestoreRecord } from '../../src/core/restore-report.js';
import { searchAttributes } from '../../src/temporal/names.js';
import { backupTarget } from '../../src/workflows/backup-target.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { progressQuery } from '../../src/workflows/progress.js';
import { restoreBackup, type RestoreBackupInput } from '../../src/workflows/restore-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { alterMysqlDefaults, databasesNamed, dropRestoredDatabases, mysqlDefaultsOf, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, workflowBundle, type TestWorker } from '../support/test-worker.js';

/** `restoreBackup` on the real dev server, PostgreSQL and MariaDB, from real nightly backups. */
describe('restoreBackup', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let repository: BackupRepository;
  let stampCount = 0;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none', edit: targetsAsAdmin });
    worker = await startTestWorker(fixture.config);
    repository = new BackupRepository(fixture.config.repository);
    // Defaults no CREATE DATABASE would pick by itself: a restore into a new database must carry them over.
    await alterMysqlDefaults(fixture.myDatabase, { characterSet: 'latin1', collation: 'latin1_danish_ci' });
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres, fixture.targets.mysql] }] });
  });
  afterAll(async () => {
    await worker?.stop();
    if (fixture) for (const engine of ['postgres', 'mysql'] as const) await dropRestoredDatabases(engine, fixture.id);
    await fixture?.cleanup();
  });

  /** A distinct stamp per run, so each test's default database and report are its own. */
  const nextStamp = () => `20300101T0000${String(stampCount++).padStart(2, '0')}Z`;
  const start = (input: Omit<RestoreBackupInput, 'stamp'>) => {
    const stamp = nextStamp();
    const handle = worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ ...input, stamp }] });
    return { stamp, handle };
  };
  const failureOf = async (run: Promise<unknown>): Promise<ApplicationFailure> => {
    const error = await run.then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  };

  it.each([
    ['postgres', 'pgDatabase'],
    ['mysql', 'myDatabase'],
  ] as const)('%s: --latest restores into a new database with the rows of the backup, every check passed, reported with the RTO', async (engine, sourceKey) => {
    const target = fixture.targets[engine];
    const [backup] = await repository.list(target);
    const { stamp, handle } = start({ target, pick: { latest: true } });
    const run = await handle;
    const record: RestoreRecord = await run.result();

    const database = restoredDatabaseName(fixture[sourceKey], stamp);
    expect(record).toMatchObject({ target, backupId: backup!.id, database, status: 'passed', kept: true, reasons: [] });
    expect(await rowCounts(engine, database)).toEqual(backup!.manifest.tables);
    expect(await rowCounts(engine, database)).toEqual(await rowCounts(engine, fixture[sourceKey]));
    if (engine === 'mysql') {
      expect(backup!.manifest.databaseDefaults).toEqual({ characterSet: 'latin1', collation: 'latin1_danish_ci' });
      expect(await mysqlDefaultsOf(database)).toEqual(backup!.manifest.databaseDefaults);
    }
    expect(record.rtoSeconds).toBeGreaterThan(0);
    expect(record.rtoSeconds).toBeGreaterThanOrEqual(record.restoreSeconds!);
    const tables = backup!.manifest.tables!;
    expect(record.checks.map((c) => [c.check, c.passed])).toEqual([
      ['checksum', true],
      ['table count', true],
      ...tables.map((t) => [`rows of ${t.table}`, true]),
    ]);

    expect(record.report).toBe(join(fixture.config.reports, `restore-${target}-${stamp}.md`));
    const report = readFileSync(record.report!, 'utf8');
    expect(report).toContain(`# Restore ${target}: PASSED`);
    expect(report).toContain(`- Into: new database \`${database}\` on `);
    expect(report).toContain('- RTO (start to checked): ');
    expect(report).toContain('| checksum | PASS | sha256 ');
    expect(report).toContain(`| table count | PASS | manifest ${tables.length}, restored ${tables.length} |`);
    for (const t of tables) expect(report).toContain(`| rows of ${t.table} | PASS | manifest ${t.rows}, restored ${t.rows} |`);

    expect((await run.query(progressQuery)).map((s) => [s.step, s.status])).toEqual([
      ['pick', 'done'],
      ['checksum', 'done'],
      ['approval', 'skipped'],
      ['restore and check', 'done'],
      ['report', 'done'],
    ]);
    const attributes = (await run.describe()).typedSearchAttributes;
    expect(attributes.get(searchAttributes.runKind)).toBe('restore');
    expect(attributes.get(searchAttributes.target)).toEqual([target]);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await run.fetchHistory(), run.workflowId);
  });

  it('--before picks the newest verified backup finished before that time, among two', async () => {
    const target = fixture.targets.postgres;
    const [first] = await repository.list(target);
    await addCompany(fixture.pgDatabase, 'Restore Test Ltd');
    // One target's chain, without the nightly's retention, which keeps one backup a day.
    await worker.client.workflow.execute(backupTarget, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('backup'), args: [{ target, stamp: stampOf(new Date()), offsite: false }] });
    const backups = await repository.list(target);
    expect(backups).toHaveLength(2);
    const second = backups[1]!;
    expect(second.manifest.tables).not.toEqual(first!.manifest.tables);

    const before = await (await start({ target, pick: { before: second.manifest.startedAt } }).handle).result();
    expect(before).toMatchObject({ backupId: first!.id, status: 'passed' });
    expect(await rowCounts('postgres', before.database!)).toEqual(first!.manifest.tables);

    const after = await (await start({ target, pick: { before: new Date(Date.parse(second.manifest.finishedAt) + 1000).toISOString() } }).handle).result();
    expect(after).toMatchObject({ backupId: second.id, status: 'passed' });
    expect(await rowCounts('postgres', after.database!)).toEqual(second.manifest.tables);
  });

  it('--into an existing non-empty database without --replace is refused (NeedsReplace) before anything changes, naming the database and server', async () => {
    const target = fixture.targets.postgres;
    const sourceRows = await rowCounts('postgres', fixture.pgDatabase);
    const databasesBefore = await databasesNamed('postgres', fixture.id);
    const { stamp, handle } = start({ target, pick: { latest: true }, into: fixture.pgDatabase });
    const run = await handle;
    const failure = await failureOf(run.result());
    // The steps after the refused pick never ran, and say so rather than pending for ever.
    expect((await run.query(progressQuery)).map((s) => [s.step, s.status, s.detail])).toEqual([
      ['pick', 'failed', expect.stringContaining('exists with 3 table(s)')],
      ['checksum', 'skipped', 'not run: the pick failed'],
      ['approval', 'skipped', 'not run: the pick failed'],
      ['restore and check', 'skipped', 'not run: the pick failed'],
      ['report', 'done', undefined],
    ]);

    const { postgres } = testServers();
    expect(failure.type).toBe('NeedsReplace');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(new RegExp(`^restore of ${target} failed: database ${fixture.pgDatabase} on postgres://${postgres.adminUser}@${postgres.host}:${postgres.port}/ exists with 3 table\\(s\\): restore over it with --replace, or into a new database with --into NAME$`));
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(sourceRows);
    expect(await databasesNamed('postgres', fixture.id)).toEqual(databasesBefore);
    expect(readFileSync(join(fixture.config.reports, `restore-${target}-${stamp}.md`), 'utf8')).toContain(`# Restore ${target}: FAILED`);
  });

  /** The restore step's own parts, run here as the activity runs them, on the fixture's real backups. */
  describe('the promotion gate', () => {
    const scratchPrefixOf = (engine: 'postgres' | 'mysql') => `restore_${fixture.targets[engine].replace(/-/g, '_')}_`;
    const attempt = async (engine: 'postgres' | 'mysql', tweak: { sha256?: string; beforePromote?: () => Promise<void> }) => {
      const targetName = fixture.targets[engine];
      const target = findTarget(fixture.config, targetName) as DatabaseTarget;
      const [backup] = await repository.list(targetName);
      const manifest = { ...backup!.manifest, ...(tweak.sha256 ? { sha256: tweak.sha256 } : {}) };
      const finalName = restoredDatabaseName(engine === 'postgres' ? fixture.pgDatabase : fixture.myDatabase, nextStamp());
      const destination = { server: restoreServerOf(fixture.config, target, undefined), database: restoreScratchName(targetName, new Date()), scratchPrefix: 'restore_' as const, promote: { database: finalName } };
      const context = { cancelSignal: new AbortController().signal, now: () => new Date(), staleAfterHours: 24, ...(tweak.beforePromote ? { beforePromote: tweak.beforePromote } : {}) };
      const artifact = join(backup!.dir, manifest.artifact);
      const run = tweak.beforePromote
        ? restoreDatabase(manifest, artifact, destination, target, context)
        : restoreWhileHashing(manifest, artifact, destination, target, context, (mismatch) => `refused: ${mismatch}`);
      const error = await run.then(() => undefined, (err: unknown) => err);
      return { error, finalName };
    };

    it.each(['postgres', 'mysql'] as const)('%s: a copy that passed every check but is refused right before the rename never takes its final name; its scratch database is dropped', async (engine) => {
      let asked = 0;
      const scratchPrefix = scratchPrefixOf(engine);
      const { error, finalName } = await attempt(engine, {
        beforePromote: async () => {
          asked++;
          // Asked with every check passed: the scratch copy is complete and still under its scratch name.
          expect(await databasesNamed(engine, scratchPrefix)).toHaveLength(1);
          throw new PreconditionFailed('refused at the rename');
        },
      });
      expect(asked).toBe(1);
      expect(error).toBeInstanceOf(PreconditionFailed);
      expect(await databasesNamed(engine, finalName)).toEqual([]);
      expect(await databasesNamed(engine, scratchPrefix)).toEqual([]);
    });

    it.each(['postgres', 'mysql'] as const)('%s: an artifact whose sha256 differs from the manifest fails as PreconditionFailed, hashed alongside the restore; nothing under the final name, no scratch left', async (engine) => {
      const scratchPrefix = scratchPrefixOf(engine);
      const { error, finalName } = await attempt(engine, { sha256: '0'.repeat(64) });
      expect(error).toBeInstanceOf(PreconditionFailed);
      expect((error as Error).message).toMatch(/^refused: checksum mismatch: manifest 000000000000…, artifact [0-9a-f]{12}…$/);
      expect(await databasesNamed(engine, finalName)).toEqual([]);
      expect(await databasesNamed(engine, scratchPrefix)).toEqual([]);
    });
  });

  it('mysql, the day the database is gone: its dump restores into a new one and re-creates no other, also a dump made before ops unnamed its ALTER DATABASE lines', async () => {
    const target = fixture.targets.mysql;
    const [backup] = await repository.list(target);
    const artifact = join(backup!.dir, backup!.manifest.artifact);
    // The fixture's routines were made under the server's default collation, not the database's since: mysqldump switches to it
    // with ALTER DATABASE lines, which name the database as it writes them; ops takes the name out on the dump's way in.
    const sql = execFileSync('zstd', ['-dc', artifact], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(sql).toMatch(/^ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci ;$/m);
    expect(sql).not.toContain(`ALTER DATABASE \`${fixture.myDatabase}\``);
    expect(backup!.manifest.alterDatabaseUnnamed).toBe(true);
    await dropMysqlDatabase(fixture.myDatabase);

    const restored = async () => {
      const { stamp, handle } = start({ target, pick: { latest: true } });
      const record: RestoreRecord = await (await handle).result();
      const database = restoredDatabaseName(fixture.myDatabase, stamp);
      expect(record).toMatchObject({ status: 'passed', database });
      expect(await rowCounts('mysql', database)).toEqual(backup!.manifest.tables);
      expect(await mysqlDefaultsOf(database)).toEqual(backup!.manifest.databaseDefaults);
      expect(await mysqlDefaultsOf(fixture.myDatabase)).toBeUndefined();
    };
    await restored();

    // The same backup as an older ops wrote it: the lines name the database, the manifest says nothing of them.
    const named = Buffer.from(sql.replace(/^ALTER DATABASE CHARACTER SET /gm, `ALTER DATABASE \`${fixture.myDatabase}\` CHARACTER SET `));
    execFileSync('zstd', ['-q', '-f', '-o', artifact], { input: named });
    const manifestFile = join(backup!.dir, 'manifest.json');
    const { alterDatabaseUnnamed: _, ...older } = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    const bytes = readFileSync(artifact);
    writeFileSync(manifestFile, JSON.stringify({ ...older, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
    expect(execFileSync('zstd', ['-dc', artifact], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).toContain(`ALTER DATABASE \`${fixture.myDatabase}\` CHARACTER SET `);
    await restored();
  });

  it('a flipped byte in the artifact fails at the checksum, hashed alongside the restore: nothing under the final name, no scratch database left', async () => {
    const target = fixture.targets.mysql;
    const [backup] = await repository.list(target);
    await flipBytesInMiddle(join(backup!.dir, backup!.manifest.artifact));
    const databasesBefore = await databasesNamed('mysql', fixture.id);
    const { stamp, handle } = start({ target, pick: { backupId: backup!.id } });
    const run = await handle;
    const failure = await failureOf(run.result());

    expect(failure.type).toBe('ArtifactMismatch');
    expect(failure.message).toMatch(new RegExp(`^restore of ${backup!.id} failed: ${backup!.id}: checksum mismatch: manifest [0-9a-f]{12}…, artifact [0-9a-f]{12}…; its scratch database was dropped, nothing was restored$`));
    expect(await databasesNamed('mysql', fixture.id)).toEqual(databasesBefore);
    expect(await databasesNamed('mysql', restoredDatabaseName(fixture.myDatabase, stamp))).toEqual([]);
    expect(await databasesNamed('mysql', `restore_${target.replace(/-/g, '_')}_`)).toEqual([]);
    expect((await run.query(progressQuery)).map((s) => [s.step, s.status])).toEqual([
      ['pick', 'done'],
      ['checksum', 'failed'],
      ['approval', 'skipped'],
      ['restore and check', 'failed'],
      ['report', 'done'],
    ]);
    const report = readFileSync(join(fixture.config.reports, `restore-${target}-${stamp}.md`), 'utf8');
    expect(report).toContain(`# Restore ${target}: FAILED`);
    expect(report).toMatch(/\| checksum \| FAIL \| .*checksum mismatch/);
  });
});

async function dropMysqlDatabase(database: string): Promise<void> {
  const { mariadb } = testServers();
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
  await connection.query(`DROP DATABASE ${mysql.escapeId(database)}`).finally(() => connection.end());
}

async function addCompany(database: string, name: string): Promise<void> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await client.connect();
  try {
    await client.query("INSERT INTO companies (name, industry, country, created_at) VALUES ($1, 'test', 'CZ', now())", [name]);
  } finally {
    await client.end();
  }
}
