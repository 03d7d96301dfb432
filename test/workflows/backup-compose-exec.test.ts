import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { encryptionFor, makeAgeKey } from '../support/age-keys.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture } from '../support/backup-fixture.js';
import { backupWorldForTest, runNightly, runNightlyExpectingFailure } from '../support/backup-world.js';
import { mysqlDefaultsOf, rowCounts } from '../support/restored-databases.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { AGE_HEADER, filesUnder } from '../support/stored-files.js';

type ConfigDoc = Record<string, any>;

/**
 * The docker stand-in (test/support/docker-shim) plays a compose project on the test sshd's host
 * whose `postgres` and `mariadb` services "contain" the database tools: `compose exec` runs the
 * real pg_dump, psql, mariadb-dump and mariadb on this machine, so the targets' urls name the
 * real test servers as those stand-in containers see them.
 */
async function standInProject(services: string[]): Promise<string> {
  const { dockerShimState } = testServers();
  const project = `dbs-${randomBytes(3).toString('hex')}`;
  const file = join(dockerShimState, `${project}.services.json`);
  await writeFile(file, JSON.stringify(Object.fromEntries(services.map((service) => [service, { env: { LANG: 'C.UTF-8' } }]))));
  onTestFinished(() => rm(file, { force: true }));
  return project;
}

function execIn(project: string, services: [string, string]) {
  const { sshd } = testServers();
  return (doc: ConfigDoc) => {
    doc.databases.forEach((database: ConfigDoc, i: number) => {
      database.exec = { host: `ssh://${sshd.user}@${sshd.host}:${sshd.port}`, project, service: services[i] };
    });
  };
}

/** The argv of every `docker` run on the ssh host for this compose project, from the stand-in's call log. */
async function dockerCalls(project: string): Promise<string[][]> {
  const log = await readFile(join(testServers().dockerShimState, 'calls.log'), 'utf8');
  return log.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { argv: string[] }).argv).filter((argv) => argv.includes(project));
}

/** The fixture's table names: none may appear in any byte stored for an encrypted backup. */
const TABLE_NAMES = ['companies', 'contacts', 'deals', 'customers', 'order_items'];

describe('databases dumped inside a compose service (exec), over real ssh, docker stand-in', () => {
  it('the chain dumps both targets through compose exec, the row counts are the source\'s, verify passes, and no password is on any argv', async () => {
    const project = await standInProject(['postgres', 'mariadb']);
    const world = await backupWorldForTest({ edit: execIn(project, ['postgres', 'mariadb']) });
    const { fixture } = world;
    const { sshd } = testServers();
    const { result } = await runNightly(world, { targets: [fixture.targets.postgres, fixture.targets.mysql] });

    expect(result.targets.map((t) => t.target)).toEqual([fixture.targets.postgres, fixture.targets.mysql]);
    for (const [target, engine, database, service, privilegeCheck] of [
      [fixture.targets.postgres, 'postgres', fixture.pgDatabase, 'postgres', 'ran'],
      [fixture.targets.mysql, 'mysql', fixture.myDatabase, 'mariadb', 'not-run'],
    ] as const) {
      const [entry, ...more] = await world.repository.list(target);
      expect(more).toEqual([]);
      expect(entry!.manifest.tables).toEqual(await rowCounts(engine, database));
      expect(entry!.manifest.tables!.length).toBeGreaterThan(0);
      expect(entry!.manifest.rowCountConsistency).toBe('adjacent');
      expect(entry!.manifest.privilegeCheck).toBe(privilegeCheck);
      if (engine === 'mysql') {
        expect(entry!.manifest.databaseDefaults).toEqual(await mysqlDefaultsOf(database));
        expect(entry!.manifest.alterDatabaseUnnamed).toBe(true);
      }
      expect(entry!.manifest.reachedThrough).toBe(`docker compose -p ${project} exec ${service} on ssh://${sshd.user}@127.0.0.1:${sshd.port}`);
      expect(entry!.verify?.status).toBe('passed');
    }

    const calls = await dockerCalls(project);
    const tools = calls.map((argv) => argv[argv.indexOf('ops-exec') + 1]);
    expect(new Set(tools)).toEqual(new Set(['psql', 'pg_dump', 'sh', 'mariadb', 'mariadb-dump']));
    for (const argv of calls) expect(argv.slice(0, 7)).toEqual(['compose', '-p', project, 'exec', '-T', argv[5], 'sh']);
    const passwords = [fixture.env.PG_READER_PASSWORD!, fixture.env.MY_READER_PASSWORD!];
    for (const argv of calls) for (const password of passwords) expect(argv.join(' ')).not.toContain(password);
  }, 180_000);

  it('with backup.encryption, both targets store only age ciphertext that names no table, locally and offsite, and verify', async () => {
    const keysDir = await mkdtemp(join(testServers().scratchRoot, 'age-exec-'));
    onTestFinished(() => rm(keysDir, { recursive: true, force: true }));
    const key = await makeAgeKey(keysDir, 'ops');
    const project = await standInProject(['postgres', 'mariadb']);
    const inService = execIn(project, ['postgres', 'mariadb']);
    const world = await backupWorldForTest({
      offsite: 'ssh',
      edit: (doc) => {
        inService(doc);
        doc.backup.encryption = encryptionFor([key], key);
      },
    });
    const { fixture } = world;
    const { result } = await runNightly(world, { targets: [fixture.targets.postgres, fixture.targets.mysql] });

    expect(result.targets.map((t) => [t.target, t.error])).toEqual([[fixture.targets.postgres, undefined], [fixture.targets.mysql, undefined]]);
    const entries = await world.repository.list();
    expect(entries.map((e) => e.target).sort()).toEqual([fixture.targets.postgres, fixture.targets.mysql].sort());
    for (const { dir, target, stamp, manifest, verify, offsite } of entries) {
      expect(manifest.reachedThrough).toMatch(new RegExp(`^docker compose -p ${project} exec `));
      expect(manifest.artifact).toMatch(/\.age$/);
      expect(manifest.tables).toBeUndefined();
      expect(manifest.encryption).toMatchObject({ tool: 'age', sealed: { file: 'contents.json.age' } });
      expect([verify?.status, offsite?.status]).toEqual(['passed', 'copied']);
      for (const file of [join(dir, manifest.artifact), join(fixture.offsiteDir, target, stamp, manifest.artifact), join(fixture.offsiteDir, target, stamp, 'contents.json.age')]) {
        expect((await readFile(file)).subarray(0, AGE_HEADER.length).toString('latin1'), file).toBe(AGE_HEADER);
      }
    }
    // Every byte stored for these backups, in the repository and the offsite copy.
    const stored = [...(await filesUnder(fixture.config.repository)), ...(await filesUnder(fixture.offsiteDir))];
    expect(stored.length).toBeGreaterThanOrEqual(8);
    for (const file of stored) {
      const text = (await readFile(file)).toString('latin1');
      expect(TABLE_NAMES.filter((name) => text.includes(name)), file).toEqual([]);
    }
    expect(new Set((await dockerCalls(project)).map((argv) => argv[argv.indexOf('ops-exec') + 1]))).toEqual(new Set(['psql', 'pg_dump', 'sh', 'mariadb', 'mariadb-dump']));
  }, 180_000);

  it('a service that is not running fails the target with compose\'s own words, naming the target and where it ran', async () => {
    const project = await standInProject(['mariadb']);
    const world = await backupWorldForTest({ edit: execIn(project, ['postgres', 'mariadb']) });
    const { fixture } = world;
    const { failure } = await runNightlyExpectingFailure(world, { targets: [fixture.targets.postgres] });
    const where = `docker compose -p ${project} exec postgres on ssh://${testServers().sshd.user}@127.0.0.1:${testServers().sshd.port}`;
    expect(failure.message).toBe(`1 of 1 failed: ${fixture.targets.postgres}: ssh failed (exit 1): service "postgres" is not running (${where})`);
    expect(await world.repository.list(fixture.targets.postgres)).toEqual([]);
    const report = await readFile(join(fixture.config.reports, 'backup-report-latest.md'), 'utf8');
    expect(report).toContain(`${fixture.targets.postgres}: ssh failed (exit 1): service "postgres" is not running (${where})`);
  }, 180_000);

  it('config check --connect runs the same checks inside the service: OK for both, and the service that is not running named', async () => {
    const project = await standInProject(['postgres', 'mariadb']);
    const fixture = await makeBackupFixture({ offsite: 'none', edit: execIn(project, ['postgres', 'mariadb']) });
    onTestFinished(() => fixture.cleanup());
    const { sshd } = testServers();
    const ok = await runCli(['--config', fixture.configFile, 'config', 'check', '--connect'], fixture.env);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain(`  ${fixture.targets.postgres}: OK as postgres://reader_${fixture.id}@127.0.0.1:${testServers().postgres.port}/${fixture.pgDatabase} (docker compose -p ${project} exec postgres on ssh://${sshd.user}@127.0.0.1:${sshd.port})`);
    expect(ok.stdout).toContain(`  ${fixture.targets.mysql}: OK as mysql://`);

    const broken = await makeBackupFixture({ offsite: 'none', edit: execIn(project, ['pg-gone', 'mariadb']) });
    onTestFinished(() => broken.cleanup());
    const failed = await runCli(['--config', broken.configFile, 'config', 'check', '--connect'], broken.env);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain(`  ${broken.targets.postgres}: ssh failed (exit 1): service "pg-gone" is not running (docker compose -p ${project} exec pg-gone on ssh://${sshd.user}@127.0.0.1:${sshd.port})`);
    expect(failed.stderr.trim()).toBe('error: 1 of 2 database targets would fail their dump (listed above)');
  }, 120_000);

  it('a table the role cannot read: psql in the service finds it before the dump, and the target fails at once naming it and the grant', async () => {
    const project = await standInProject(['postgres', 'mariadb']);
    const world = await backupWorldForTest({ edit: execIn(project, ['postgres', 'mariadb']) });
    const { fixture } = world;
    const reader = `reader_${fixture.id}`;
    const { postgres } = testServers();
    const admin = new pg.Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: fixture.pgDatabase });
    await admin.connect();
    try {
      // pg_read_all_data reads every table, so a schema the role may not use is what hides one from it.
      await admin.query('CREATE SCHEMA vault');
      await admin.query('CREATE TABLE vault.keys (id int)');
      await admin.query(`REVOKE pg_read_all_data FROM ${reader}`);
      await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${reader}`);
      await admin.query(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${reader}`);
    } finally {
      await admin.end();
    }

    const { failure } = await runNightlyExpectingFailure(world, { targets: [fixture.targets.postgres] });
    expect(failure.message).toBe(
      `1 of 1 failed: ${fixture.targets.postgres}: postgres://${reader}@127.0.0.1:${postgres.port}/${fixture.pgDatabase}: cannot use schema vault: GRANT USAGE ON SCHEMA vault TO ${reader}; cannot read table vault.keys: GRANT pg_read_all_data TO ${reader} (or GRANT SELECT ON vault.keys TO ${reader}) (docker compose -p ${project} exec postgres on ssh://${testServers().sshd.user}@127.0.0.1:${testServers().sshd.port})`,
    );
    const [dump] = await activityRuns(world.worker.client, workflowIds.backupTarget(fixture.targets.postgres), 'dumpTarget');
    expect(dump).toMatchObject({ outcome: 'failed', attempt: 1, failure: { type: 'PreconditionFailed', nonRetryable: true } });
    const tools = (await dockerCalls(project)).map((argv) => argv[argv.indexOf('ops-exec') + 1]);
    expect(tools).toEqual(['psql']);
  }, 180_000);
});
