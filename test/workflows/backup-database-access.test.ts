import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { seedDemoPostgres } from '../../src/local-servers/demo-data.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { startPostgres } from '../../src/local-servers/postgres-server.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns, type ActivityRun } from '../support/activity-history.js';
import { makeBackupFixture } from '../support/backup-fixture.js';
import { backupWorldForTest, runNightly, runNightlyExpectingFailure, type BackupWorld } from '../support/backup-world.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { waitFor } from '../support/wait-for.js';

type ConfigDoc = Record<string, any>;

async function dumpRun(world: BackupWorld, target: string): Promise<ActivityRun> {
  const runs = await activityRuns(world.worker.client, workflowIds.backupTarget(target), 'dumpTarget');
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

async function asPostgresAdmin<T>(database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const { postgres } = testServers();
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function asMariadbAdmin(sql: string): Promise<void> {
  const { mariadb } = testServers();
  const connection = await mysql.createConnection({ host: mariadb.host, port: mariadb.port, user: mariadb.adminUser, password: mariadb.adminPassword });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/** The statement a message tells the user to run, up to the end of its line part. */
function grantIn(message: string, start: string): string {
  const at = message.indexOf(start);
  expect(at, `"${start}" in: ${message}`).toBeGreaterThanOrEqual(0);
  return message.slice(at).split(/;| \| | \(/)[0]!.trim();
}

describe('a backup role that cannot read everything', () => {
  it('a large object and a missing EVENT grant: each dump fails at once naming the object and the grant, config check --connect finds both, and after the grants the backup restores the large object', async () => {
    const narrow = `narrow_${randomBytes(3).toString('hex')}`;
    const env = { MY_NARROW_PASSWORD: `my-${randomBytes(8).toString('hex')}` };
    const world = await backupWorldForTest({
      env,
      edit: (doc: ConfigDoc) => {
        doc.files = [];
        doc.databases[1].url = doc.databases[1].url.replace(/\/\/[^@]+@/, `//${narrow}@`);
        doc.databases[1].password = '${MY_NARROW_PASSWORD}';
      },
    });
    const { fixture } = world;
    const { postgres: pgTarget, mysql: myTarget } = fixture.targets;
    const reader = `reader_${fixture.id}`;
    const content = randomBytes(300_000);
    // Owned by the admin, as an application's large objects are owned by the application's role: pg_read_all_data does not cover them.
    const oid = await asPostgresAdmin(fixture.pgDatabase, async (client) => {
      await client.query('CREATE TABLE documents (id int PRIMARY KEY, body oid NOT NULL)');
      const created = await client.query<{ oid: string }>('SELECT lo_from_bytea(0, $1)::text AS oid', [content]);
      await client.query('INSERT INTO documents VALUES (1, $1)', [created.rows[0]!.oid]);
      return created.rows[0]!.oid;
    });
    await asMariadbAdmin(`CREATE USER '${narrow}'@'%' IDENTIFIED BY '${env.MY_NARROW_PASSWORD}'`);
    onTestFinished(() => asMariadbAdmin(`DROP USER IF EXISTS '${narrow}'@'%'`));
    await asMariadbAdmin(`GRANT SELECT, SHOW VIEW, TRIGGER ON \`${fixture.myDatabase}\`.* TO '${narrow}'@'%'`);

    const pgProblem = `cannot read large object ${oid}: GRANT SELECT ON LARGE OBJECT ${oid} TO ${reader}`;
    const myProblem = `cannot list the events of \`${fixture.myDatabase}\`: GRANT EVENT ON \`${fixture.myDatabase}\`.* TO '${narrow}'@'%'`;

    const { failure } = await runNightlyExpectingFailure(world);
    expect(failure.message).toMatch(/^2 of 2 failed: /);
    for (const [target, problem] of [[pgTarget, pgProblem], [myTarget, myProblem]] as const) {
      expect(failure.message).toContain(`${target}: `);
      expect(failure.message).toContain(problem);
      const run = await dumpRun(world, target);
      expect(run).toMatchObject({ outcome: 'failed', attempt: 1, failure: { type: 'PreconditionFailed', nonRetryable: true }, retryState: 'NON_RETRYABLE_FAILURE' });
      expect(run.failure?.message).toContain(problem);
    }
    expect(await world.repository.list()).toEqual([]);

    const cliEnv = { ...fixture.env };
    const before = await runCli(['--config', fixture.configFile, 'config', 'check', '--connect'], cliEnv);
    expect(before.exitCode).toBe(1);
    expect(before.stdout.split('\n')).toEqual(expect.arrayContaining([`  ${pgTarget}: ${pgProblem}`, `  ${myTarget}: ${myProblem}`]));
    expect(before.stderr.trim()).toBe('error: 2 of 2 database targets would fail their dump (listed above)');

    // The statements the messages print, run as they are.
    await asPostgresAdmin(fixture.pgDatabase, (client) => client.query(grantIn(failure.message, 'GRANT SELECT ON LARGE OBJECT')));
    await asMariadbAdmin(grantIn(failure.message, 'GRANT EVENT ON'));

    const after = await runCli(['--config', fixture.configFile, 'config', 'check', '--connect'], cliEnv);
    expect([after.exitCode, after.stderr]).toEqual([0, '']);
    expect(after.stdout).toMatch(new RegExp(`  ${pgTarget}: OK as postgres://${reader}@.*\\n  ${myTarget}: OK as mysql://${narrow}@`));

    const { result } = await runNightly(world);
    expect(result.targets.map((t) => [t.target, t.error])).toEqual([[pgTarget, undefined], [myTarget, undefined]]);
    const [backup] = await world.repository.list(pgTarget);
    expect(backup?.verify?.status).toBe('passed');

    // The large object itself is in the dump: restored elsewhere, byte for byte.
    const scratch = `lo_check_${fixture.id}`;
    const { postgres } = testServers();
    await asPostgresAdmin('postgres', (client) => client.query(`CREATE DATABASE ${scratch}`));
    onTestFinished(async () => {
      await asPostgresAdmin('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${scratch}`));
    });
    await execa('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--host=${postgres.host}`, `--port=${postgres.port}`, `--username=${postgres.adminUser}`, `--dbname=${scratch}`, join(backup!.dir, backup!.manifest.artifact)], {
      env: { PGPASSWORD: postgres.adminPassword },
    });
    const restored = await asPostgresAdmin(scratch, (client) => client.query<{ body: Buffer }>('SELECT lo_get(body) AS body FROM documents WHERE id = 1'));
    expect(restored.rows[0]!.body.equals(content)).toBe(true);
  });
});

describe('a database that is down for a while', () => {
  it('config check --connect names a database it cannot reach (address and cause) and exits 1, at once', async () => {
    const port = await freePort();
    const fixture = await makeBackupFixture({
      offsite: 'none',
      edit: (doc: ConfigDoc) => {
        doc.databases[0].url = `postgres://nobody@127.0.0.1:${port}/gone`;
      },
    });
    onTestFinished(() => fixture.cleanup());
    const { postgres: down, mysql: mysqlTarget } = fixture.targets;

    const started = Date.now();
    const result = await runCli(['--config', fixture.configFile, 'config', 'check', '--connect'], { ...fixture.env });

    // One try, not the dump's unreachable window: a check ahead of the night answers now.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`  ${down}: postgres://nobody@127.0.0.1:${port}/gone: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(result.stdout).toMatch(new RegExp(`  ${mysqlTarget}: OK as mysql://`));
    expect(result.stderr.trim()).toBe('error: 1 of 2 database targets would fail their dump (listed above)');
  });

  it('restarted while the dump waits for it: one attempt rides it out and the chain passes', async () => {
    const { scratchRoot } = testServers();
    const port = await freePort();
    const dataDir = join(scratchRoot, `flaky-${randomBytes(3).toString('hex')}`);
    const server = await startPostgres({ dataDir, port });
    onTestFinished(() => server.stop());
    const readerPassword = `flaky-${randomBytes(8).toString('hex')}`;
    await seedDemoPostgres(server, { database: 'flaky_app', readerUser: 'flaky_reader', readerPassword });
    await server.stop();

    const world = await backupWorldForTest({
      env: { FLAKY_PASSWORD: readerPassword },
      edit: (doc: ConfigDoc) => {
        onlyPostgresTarget(doc);
        doc.databases[0].url = `postgres://flaky_reader@${server.host}:${port}/flaky_app`;
        doc.databases[0].password = '${FLAKY_PASSWORD}';
        doc.backup.unreachableRetryMinutes = 3;
      },
    });
    const { postgres: target } = world.fixture.targets;
    const workflowId = world.worker.workflowId('nightly');
    const handle = await world.worker.client.workflow.start(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [{}] });

    // History records an attempt's start only when it ends; the pending activity shows it running.
    const child = world.worker.client.workflow.getHandle(workflowIds.backupTarget(target));
    await waitFor(
      'the dump to start against the stopped server',
      async () => {
        const described = await child.describe().catch(() => undefined);
        return described?.raw.pendingActivities?.some((a) => a.activityType?.name === 'dumpTarget' && a.lastStartedTime) ?? false;
      },
      60_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const restartedAt = Date.now();
    const again = await startPostgres({ dataDir, port });
    onTestFinished(() => again.stop());

    const result = await handle.result();
    expect(result.targets).toEqual([{ target, backupId: expect.any(String) }]);
    const run = await dumpRun(world, target);
    expect(run).toMatchObject({ outcome: 'completed', attempt: 1 });
    expect(run.scheduledAt).toBeLessThan(restartedAt);
    const [backup] = await world.repository.list(target);
    expect(backup?.verify?.status).toBe('passed');
  });
});
