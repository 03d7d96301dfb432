import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { RestoreLog } from '../../src/records/restore-log.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { databasesNamed, dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** `ops restore` as a user runs it, against a real worker and a real nightly backup. */
describe('ops restore', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let env: Record<string, string>;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none', edit: targetsAsAdmin });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres] }] });
  });
  afterAll(async () => {
    await worker?.stop();
    if (fixture) await dropRestoredDatabases('postgres', fixture.id);
    await fixture?.cleanup();
  });

  const restore = (...args: string[]) => runCli(['--config', fixture.configFile, 'restore', ...args], env);

  it('--latest --wait restores into a new database, prints each check, the database and the RTO, and exits 0', async () => {
    const target = fixture.targets.postgres;
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    const result = await restore(target, '--latest', '--into', `${fixture.pgDatabase}_restored_cli`, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^started restore-${target}-\\d{8}T\\d{6}Z$`, 'm'));
    expect(result.stdout).toMatch(/restore and check\s+done/);
    expect(result.stdout).toContain('  PASS checksum: sha256 ');
    expect(result.stdout).toContain('  PASS table count: manifest 3, restored 3');
    const { postgres } = testServers();
    expect(result.stdout).toContain(`restored ${backup!.id} into new database ${fixture.pgDatabase}_restored_cli on postgres://${postgres.adminUser}@${postgres.host}:${postgres.port}/\n`);
    expect(result.stdout).toMatch(new RegExp(`^RTO \\d+(\\.\\d)?s \\(start to checked\\); report .*/restore-${target}-\\d{8}T\\d{6}Z\\.md$`, 'm'));
    expect(await rowCounts('postgres', `${fixture.pgDatabase}_restored_cli`)).toEqual(backup!.manifest.tables);

    // The RTO is recorded: `ops status --json` shows it per target (none for a target never restored).
    const [logged] = await new RestoreLog(fixture.config.repository).list([target]);
    expect(logged).toMatchObject({ status: 'passed', database: `${fixture.pgDatabase}_restored_cli`, rtoSeconds: expect.any(Number) });
    const status = JSON.parse((await runCli(['--config', fixture.configFile, 'status', '--json'], env)).stdout) as { targets: Array<{ target: string; lastRtoSeconds: number | null }> };
    expect(status.targets.find((t) => t.target === target)?.lastRtoSeconds).toBe(logged!.rtoSeconds);
    expect(status.targets.find((t) => t.target === fixture.targets.mysql)?.lastRtoSeconds).toBeNull();
  });

  it.each([[[]], [['--wait']]])('into a non-empty database without --replace (%j): exit 2 naming it and the way out, and it is left as it was', async (wait) => {
    const target = fixture.targets.postgres;
    const before = await rowCounts('postgres', fixture.pgDatabase);
    const result = await restore(target, '--latest', '--into', fixture.pgDatabase, ...wait);
    expect(result.exitCode).toBe(2);
    const { postgres } = testServers();
    expect(result.stderr).toBe(`error: database ${fixture.pgDatabase} on postgres://${postgres.adminUser}@${postgres.host}:${postgres.port}/ exists with 3 table(s): restore over it with --replace, or into a new database with --into NAME`);
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(before);
  });

  /** `ops restore approve TARGET [--reject]` until the run's gate takes it (the run may not be at the gate yet). */
  const answerGate = async (target: string, ...answer: string[]) => {
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
      const result = await restore('approve', target, '--by', 'alice', ...answer);
      if (result.exitCode === 0) return result;
      expect(result.stderr).toMatch(/^error: (no restore of .* is running( \(the latest, .*\))?|restore of .*: .*no approval is pending for this restore)$/);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`the restore of ${target} never waited at its gate`);
  };

  it('--replace --wait waits for `ops restore approve`; --reject refuses it: exit 1, nothing touched', async () => {
    const target = fixture.targets.postgres;
    const before = await rowCounts('postgres', fixture.pgDatabase);
    const running = restore(target, '--latest', '--replace', '--wait');
    const answer = await answerGate(target, '--reject', '--reason', 'not this one');
    expect(answer.stdout).toMatch(new RegExp(`^rejected replace ${fixture.pgDatabase} for restore-${target}-\\d{8}T\\d{6}Z \\(by alice\\)$`));
    const result = await running;
    expect(result.stdout).toContain(`replacing a database that has tables waits up to 30 min for: ops restore approve ${target} [--reject]\n`);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: replace of ${fixture.pgDatabase} refused: rejected by alice: not this one; nothing was changed`);
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(before);
    expect((await databasesNamed('postgres', fixture.id)).filter((n) => n.includes('_before_restore_'))).toEqual([]);
  });

  it('--replace --wait, approved with `ops restore approve`: swapped, the old database kept and named', async () => {
    const target = fixture.targets.postgres;
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    const running = restore(target, '--latest', '--replace', '--wait');
    await answerGate(target);
    const result = await running;
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const { postgres } = testServers();
    const kept = result.stdout.match(/the old database is kept as (\S+)$/m)?.[1];
    expect(result.stdout).toContain(`replaced ${fixture.pgDatabase} on postgres://${postgres.adminUser}@${postgres.host}:${postgres.port}/ with ${backup!.id}; the old database is kept as ${fixture.pgDatabase}_before_restore_`);
    expect(await rowCounts('postgres', kept!)).toEqual(await rowCounts('postgres', fixture.pgDatabase));
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(backup!.manifest.tables);

    // Answered again once it has ended: bad usage, saying what became of it.
    const late = await restore('approve', target);
    expect(late.exitCode).toBe(2);
    const workflowId = result.stdout.match(/\b(restore-\S+-\d{8}T\d{6}Z)\b/)?.[1];
    expect(workflowId).toBeDefined();
    expect(late.stderr).toMatch(new RegExp(`^error: no restore of ${target} is running \\(the latest, ${workflowId}, completed at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`));
  });

  it('restores started in the same second each get a run, a report and a record of their own', async () => {
    const target = fixture.targets.postgres;
    const intos = [1, 2, 3].map((n) => `${fixture.pgDatabase}_same_second_${n}`);
    const results = await Promise.all(intos.map((into) => restore(target, '--latest', '--into', into, '--wait')));
    expect(results.map((r) => [r.exitCode, r.stderr])).toEqual(intos.map(() => [0, '']));
    const ids = results.map((r) => r.stdout.match(/^started (\S+)$/m)?.[1]);
    expect(new Set(ids).size).toBe(3);
    const reports = results.map((r) => r.stdout.match(/report (\S+)$/m)?.[1]);
    expect(new Set(reports).size).toBe(3);
    for (const into of intos) expect((await rowCounts('postgres', into)).length).toBeGreaterThan(0);
  });

  it.each<[string, string[], string]>([
    ['no pick', [], 'give exactly one of --backup ID, --latest, --before ISO-TIME'],
    ['two picks', ['--latest', '--before', '2026-12-01T08:00:00Z'], 'give exactly one of --backup ID, --latest, --before ISO-TIME'],
    ['a --before without a zone', ['--before', '2026-12-01T08:00'], '--before "2026-12-01T08:00" has no time zone, so it is not one instant: add Z or an offset, e.g. 2026-12-01T08:00Z or 2026-12-01T08:00+01:00'],
    ['a --before that is no time', ['--before', 'yesterday'], '--before "yesterday" is not an ISO time such as 2026-12-01T08:00:00Z'],
    ['a --backup that is no backup id', ['--backup', 'nonsense'], '--backup: not a backup id: "nonsense" (expected <target>-<YYYYMMDDTHHMMSSZ>)'],
    ['a --backup of another target', ['--backup', 'shop-db-20261120T020000Z'], '--backup: shop-db-20261120T020000Z is a backup of shop-db, not of TARGET'],
    ['an unknown --from destination', ['--latest', '--from', 'offsite:nowhere'], '--from: no offsite destination "nowhere" in backup.offsite (configured: none)'],
    ['a bad --into', ['--latest', '--into', 'x;y'], '--into: database name "x;y" must be letters, digits and _, not starting with a digit'],
    ['--yes without --replace', ['--latest', '--yes'], '--yes approves a --replace: give --replace too'],
    ['a zero --approval-timeout', ['--latest', '--replace', '--approval-timeout', '0'], '--approval-timeout "0" is not a positive number of minutes'],
    ['an unknown --server', ['--latest', '--server', 'nope'], '--server nope: no restore.servers.nope in the config'],
  ])('%s is bad usage: exit 2 naming it, nothing started', async (_name, args, message) => {
    const databases = await databasesNamed('postgres', fixture.id);
    const result = await restore(fixture.targets.postgres, ...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`error: ${message.replace('TARGET', fixture.targets.postgres)}`);
    expect(result.stdout).not.toContain('started');
    expect(await databasesNamed('postgres', fixture.id)).toEqual(databases);
  });

  it('an unknown target is bad usage naming what is configured, nothing started', async () => {
    const result = await restore('nope', '--latest');
    const { postgres, mysql, files } = fixture.targets;
    expect([result.exitCode, result.stderr]).toEqual([2, `error: unknown target "nope" (configured: ${postgres}, ${mysql}, ${files})`]);
    expect(result.stdout).not.toContain('started');
  });

  it('--to on a database target is bad usage: it is for files targets', async () => {
    const result = await restore(fixture.targets.postgres, '--latest', '--to', '/tmp/x');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`error: target "${fixture.targets.postgres}" is a database: --to, --dry-run and --delete are for files targets; give --into NAME`);
  });
});
