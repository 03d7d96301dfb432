import { randomUUID } from 'node:crypto';
import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { nightlyBackup, type NightlyBackupResult } from '../../src/workflows/nightly-backup.js';
import { evaluateBackupHealth } from '../../src/activities/backup/evaluate-backup-health.js';
import { RunHistory } from '../../src/records/run-history.js';
import type { BackupManifest, VerifyRecord } from '../../src/core/backup-record.js';
import { grantPostgresReader } from '../../src/local-servers/demo-data.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { workflowIds } from '../../src/temporal/names.js';
import { longSteps } from '../../src/workflows/activity-options.js';
import { backupTarget } from '../../src/workflows/backup-target.js';
import { stampOf } from '../../src/core/backup-id.js';
import { activityRuns, type ActivityRun } from '../support/activity-history.js';
import { backupWorldForTest, namesIn, runNightly, runNightlyExpectingFailure, runVerifyExpectingFailure, type BackupWorld } from '../support/backup-world.js';
import { flipBytesInMiddle, truncateToHalf } from '../support/damage.js';
import { failureChain } from '../support/deploy-world.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { expectNoSecretsIn, onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { leftoverVerifyDatabases } from '../support/verify-databases.js';

type ConfigDoc = Record<string, any>;
const pgTargetOf = (doc: ConfigDoc) => doc.databases[0];
const myTargetOf = (doc: ConfigDoc) => doc.databases[1];

/** The dump attempts of one target, read from its child workflow's history (the latest run under the target's id). */
async function dumpRun(world: BackupWorld, target: string): Promise<ActivityRun> {
  const runs = await activityRuns(world.worker.client, workflowIds.backupTarget(target), 'dumpTarget');
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

/** The child workflow of the target failed with the dump activity's failure: WorkflowFailedError → ActivityFailure → ApplicationFailure of `type`. */
async function expectDumpFailureChain(world: BackupWorld, target: string, type: string): Promise<void> {
  const error: unknown = await world.worker.client.workflow.getHandle(workflowIds.backupTarget(target)).result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const activityFailure = (error as WorkflowFailedError).cause;
  expect(activityFailure).toBeInstanceOf(ActivityFailure);
  expect((activityFailure as ActivityFailure).activityType).toBe('dumpTarget');
  expect(activityFailure!.cause).toBeInstanceOf(ApplicationFailure);
  expect((activityFailure!.cause as ApplicationFailure).type).toBe(type);
}

/**
 * A target whose dump fails takes nothing else down: the run fails naming the target and the
 * cause, the other targets are backed up and verified, the report says FAILED with the cause,
 * and the repository holds nothing of the failed target, neither partial nor final.
 */
async function expectOnlyPostgresFailed(world: BackupWorld, cause: string | RegExp): Promise<void> {
  const { fixture, repository } = world;
  const { postgres, mysql, files } = fixture.targets;
  const { failure } = await runNightlyExpectingFailure(world);

  expect(failure.type).toBe('BackupFailed');
  expect(failure.message).toMatch(/^1 of 3 failed: /);
  expect(failure.message).toContain(postgres);
  expect(failure.message).toMatch(cause);
  const [{ targets }] = failure.details as [{ targets: NightlyBackupResult['targets'] }];
  expect(targets.map((t) => [t.target, t.error === undefined])).toEqual([
    [postgres, false],
    [mysql, true],
    [files, true],
  ]);

  for (const target of [mysql, files]) {
    const entries = await repository.list(target);
    expect(entries.map((e) => e.verify?.status)).toEqual(['passed']);
  }
  expect(await namesIn(join(fixture.config.repository, postgres))).toEqual([]);
  expect(await repository.list(postgres)).toEqual([]);

  const report = await readFile(join(fixture.config.reports, 'backup-report-latest.md'), 'utf8');
  expect(report).toContain('# Nightly backup: FAILED (1 of 3 targets)');
  expect(report).toContain(`## ${postgres} (postgres): FAILED`);
  expect(report).toMatch(cause);
  expect(report).not.toContain(fixture.env.PG_READER_PASSWORD);
}

/** Inputs that no retry can fix fail at once: one attempt, a non-retryable PreconditionFailed. */
function expectFailedWithoutRetry(run: ActivityRun, cause: string | RegExp): void {
  expect(run.outcome).toBe('failed');
  expect(run.attempt).toBe(1);
  expect(run.failure?.type).toBe('PreconditionFailed');
  expect(run.failure?.nonRetryable).toBe(true);
  expect(run.failure?.message).toMatch(cause);
  expect(run.retryState).toBe('NON_RETRYABLE_FAILURE');
}

/** The world's failures are retried until the policy gives up, waiting the backoff in between. */
function expectRetriedWithBackoff(run: ActivityRun, type: string, cause: string | RegExp): void {
  const { maximumAttempts, initialInterval, backoffCoefficient } = longSteps.retry!;
  expect(run.outcome).toBe('failed');
  expect(run.attempt).toBe(maximumAttempts);
  expect(run.failure?.type).toBe(type);
  expect(run.failure?.nonRetryable).toBe(false);
  expect(run.failure?.message).toMatch(cause);
  expect(run.retryState).toBe('MAXIMUM_ATTEMPTS_REACHED');
  // Attempt n waits initial * coefficient^(n-2) after attempt n-1 failed: 5 s, then 10 s.
  const first = msToNumber(initialInterval!);
  const backoffMs = Array.from({ length: maximumAttempts! - 1 }, (_, i) => first * backoffCoefficient! ** i).reduce((a, b) => a + b, 0);
  expect(run.startedAt! - run.scheduledAt).toBeGreaterThanOrEqual(backoffMs);
}

describe('nightlyBackup when one database target cannot be dumped', () => {
  it('wrong password: fails that target only, once, non-retryable, naming target and cause', async () => {
    const world = await backupWorldForTest({
      env: { PG_WRONG_PASSWORD: 'not-the-password' },
      edit: (doc) => (pgTargetOf(doc).password = '${PG_WRONG_PASSWORD}'),
    });
    const cause = 'password authentication failed';
    await expectOnlyPostgresFailed(world, cause);
    expectFailedWithoutRetry(await dumpRun(world, world.fixture.targets.postgres), cause);
    await expectDumpFailureChain(world, world.fixture.targets.postgres, 'PreconditionFailed');
  });

  it('missing database: fails that target only, once, non-retryable, naming the database', async () => {
    const missing = `missing_${Date.now().toString(36)}`;
    const world = await backupWorldForTest({ edit: (doc) => (pgTargetOf(doc).url = pgTargetOf(doc).url.replace(/\/[^/]+$/, `/${missing}`)) });
    const cause = `database "${missing}" does not exist`;
    await expectOnlyPostgresFailed(world, cause);
    expectFailedWithoutRetry(await dumpRun(world, world.fixture.targets.postgres), cause);
    await expectDumpFailureChain(world, world.fixture.targets.postgres, 'PreconditionFailed');
  });

  it('unreachable server that never comes back: retried within backup.unreachableRetryMinutes, then fails that target only, naming host:port', async () => {
    const closedPort = await freePort();
    const world = await backupWorldForTest({
      edit: (doc) => {
        pgTargetOf(doc).url = pgTargetOf(doc).url.replace(/:\d+\//, `:${closedPort}/`);
        doc.backup.unreachableRetryMinutes = 0.1;
      },
    });
    const cause = new RegExp(`127\\.0\\.0\\.1:${closedPort}/app_\\w+: connect ECONNREFUSED 127\\.0\\.0\\.1:${closedPort}; still unreachable after \\d+ tries over \\d+(\\.\\d)?s \\(backup\\.unreachableRetryMinutes\\)`);
    await expectOnlyPostgresFailed(world, cause);
    // The window is the retry budget: one attempt of the step, which Temporal does not start again.
    const run = await dumpRun(world, world.fixture.targets.postgres);
    expect(run).toMatchObject({ outcome: 'failed', attempt: 1, failure: { type: 'Unreachable', nonRetryable: true }, retryState: 'NON_RETRYABLE_FAILURE' });
    expect(run.failure?.message).toMatch(cause);
    await expectDumpFailureChain(world, world.fixture.targets.postgres, 'Unreachable');
  });
});

describe('two runs of a target with the same second\'s stamp', () => {
  it('the second fails naming the backup, dumps nothing, and does not pass the first run\'s backup off as its own', async () => {
    const world = await backupWorldForTest({ offsite: 'none', edit: onlyPostgresTarget });
    const target = world.fixture.targets.postgres;
    const stamp = stampOf(new Date());
    // The target's run id is its lock: the second starts once the first has ended, as a run started in that same second would.
    const run = () => world.worker.client.workflow.start(backupTarget, { taskQueue: world.worker.taskQueue, workflowId: workflowIds.backupTarget(target), args: [{ target, stamp, offsite: false }] });
    const first = await run();
    await first.result();
    const second = await run();
    const failure = await second.result().then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(failureChain(failure).map(([, , message]) => message).join(' | ')).toContain(`backup ${target}-${stamp} already exists, made by another run that started in the same second: nothing was dumped; run the backup again`);
    const backups = await world.repository.list(target);
    expect(backups.map((b) => [b.id, b.manifest.madeByRun])).toEqual([[`${target}-${stamp}`, first.firstExecutionRunId]]);
  });

  it('a reset of the run that made the backup is that run again: it adopts its backup instead of failing', async () => {
    const world = await backupWorldForTest({ offsite: 'none', edit: onlyPostgresTarget });
    const target = world.fixture.targets.postgres;
    const stamp = stampOf(new Date());
    const { client, taskQueue } = world.worker;
    const first = await client.workflow.start(backupTarget, { taskQueue, workflowId: workflowIds.backupTarget(target), args: [{ target, stamp, offsite: false }] });
    const made = await first.result();
    // As the Web UI's "Reset" to the first workflow task does: the run is done again from its start, dump included.
    const events = (await first.fetchHistory()).events ?? [];
    const firstTask = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const { runId } = await client.workflowService.resetWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId: first.workflowId, runId: first.firstExecutionRunId },
      workflowTaskFinishEventId: firstTask.eventId,
      requestId: randomUUID(),
      reason: 'test: reset to before the dump',
    });
    expect(runId).not.toBe(first.firstExecutionRunId);
    const again = await client.workflow.getHandle(first.workflowId, runId!).result();
    expect([again.dump.backupId, again.verify]).toEqual([made.dump.backupId, 'passed']);
    const backups = await world.repository.list(target);
    expect(backups.map((b) => [b.id, b.manifest.madeByRun])).toEqual([[`${target}-${stamp}`, first.firstExecutionRunId]]);
    // The reset run's own dump step (the latest run's history) adopted the backup at its first attempt.
    expect((await activityRuns(client, first.workflowId, 'dumpTarget')).map((r) => [r.outcome, r.attempt])).toEqual([['completed', 1]]);
  });

  it('a chain that starts in the second its target\'s newest backup is stamped with waits for the next second, and makes a backup of its own', async () => {
    const world = await backupWorldForTest({ offsite: 'none', edit: onlyPostgresTarget });
    const target = world.fixture.targets.postgres;
    // A backup stamped with this very second (its directory is what the plan reads), then the chain at once; should the second turn in between, again.
    for (let attempt = 1; ; attempt++) {
      const taken = stampOf(new Date());
      await mkdir(join(world.fixture.config.repository, target, taken), { recursive: true });
      const workflowId = world.worker.workflowId('nightly');
      await world.worker.client.workflow.execute(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [{ targets: [target] }] });
      const events = (await world.worker.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const started = events[0]!.eventTime!;
      if (stampOf(new Date(Number(started.seconds) * 1000 + Math.floor((started.nanos ?? 0) / 1e6))) !== taken && attempt < 5) continue;
      expect(events.filter((e) => e.timerStartedEventAttributes).length).toBe(1);
      const made = (await world.repository.list(target)).map((b) => b.id);
      expect(made).toHaveLength(attempt);
      expect(made.every((id) => id > `${target}-${taken}`)).toBe(true);
      return;
    }
  });
});

describe('a failed dump leaves no backup, but a line in the run history', () => {
  it('counts against the 7-day success rate, as the chain, `ops status` and evaluateBackupHealth all report it', async () => {
    const world = await backupWorldForTest({ edit: onlyPostgresTarget });
    const { fixture } = world;
    const { postgres } = fixture.targets;
    const pg = testServers().postgres;
    const first = await runNightly(world);
    expect(first.result.health).toBe('OK');

    // The reader's password changes under ops: the next night's dump cannot log in.
    const reader = `reader_${fixture.id}`;
    await grantPostgresReader(pg, reader, 'changed-under-ops');
    const second = await runNightlyExpectingFailure(world);
    expect(second.failure.details?.[0]).toMatchObject({ health: 'WARN' });

    const history = new RunHistory(fixture.config.repository);
    expect(await history.list([postgres])).toEqual([
      {
        at: expect.any(String), target: postgres, kind: 'backup', backupId: first.result.targets[0]!.backupId, dump: 'ok', verify: 'passed',
        workflowId: workflowIds.backupTarget(postgres), runId: expect.any(String),
      },
      {
        at: expect.any(String), target: postgres, kind: 'backup', dump: 'failed', verify: 'none',
        reason: `${postgres}: postgres://${reader}@${pg.host}:${pg.port}/${fixture.pgDatabase}: password authentication failed for user "${reader}" (28P01)`,
        workflowId: workflowIds.backupTarget(postgres), runId: expect.any(String),
      },
    ]);
    expectNoSecretsIn([await readFile(history.fileOf(postgres), 'utf8')], fixture);
    expect(await world.repository.list(postgres)).toHaveLength(1);

    const rate = `${postgres}: backup success rate 50% (1 of 2) over 7d (goal 99%)`;
    const health = await evaluateBackupHealth(fixture.config);
    expect([health.status, health.reasons]).toEqual(['WARN', [rate]]);
    expect(health.targets[0]).toMatchObject({ target: postgres, backupSuccessRate7d: 0.5, verifySuccessRate7d: 1, consecutiveVerifyFailures: 0, backups: 1 });

    const status = await runCli(['--config', fixture.configFile, 'status', '--json'], fixture.env);
    expect(status.exitCode).toBe(0);
    const reported = JSON.parse(status.stdout) as typeof health;
    expect([reported.status, reported.reasons]).toEqual(['WARN', [rate]]);
    expect(reported.targets[0]).toMatchObject({ target: postgres, backupSuccessRate7d: 0.5, verifySuccessRate7d: 1, consecutiveVerifyFailures: 0 });
  });
});

describe('verify catches a damaged artifact', () => {
  it.each([
    ['bytes flipped in the middle', flipBytesInMiddle],
    ['truncated to half', truncateToHalf],
  ])('%s: PostgreSQL and MariaDB backups fail verify on their checksum', async (_, damage) => {
    const world = await backupWorldForTest();
    const { postgres, mysql } = world.fixture.targets;
    await runNightly(world, { targets: [postgres, mysql] });

    const entries = await world.repository.list();
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => [e.target, e.verify?.status])).toEqual(expect.arrayContaining([[postgres, 'passed'], [mysql, 'passed']]));
    for (const entry of entries) {
      await damage(join(entry.dir, entry.manifest.artifact));
      const failure = await runVerifyExpectingFailure(world, entry.id);

      expect(failure.type).toBe('VerifyFailed');
      expect(failure.message).toContain(entry.id);
      const [record] = failure.details as [VerifyRecord];
      expect(record.reasons).toEqual([expect.stringMatching(/^checksum mismatch: manifest [0-9a-f]{12}…, artifact [0-9a-f]{12}…$/)]);
      expect(record.restoredInto).toBe('');
      const onDisk = JSON.parse(await readFile(join(entry.dir, 'verify.json'), 'utf8')) as VerifyRecord;
      expect(onDisk).toMatchObject({ status: 'failed', reasons: record.reasons });
    }
    expect(await leftoverVerifyDatabases(world.fixture.id)).toEqual([]);
  });
});

describe('verify catches a restore that does not hold what the backup promised', () => {
  it('a failing assertion fails verify for PostgreSQL and MariaDB and leaves no verify_* database', async () => {
    const world = await backupWorldForTest({
      edit: (doc) => {
        pgTargetOf(doc).assertions = [{ name: 'a million companies', sql: 'SELECT count(*) FROM companies', min: 1_000_000 }];
        myTargetOf(doc).assertions = [{ sql: 'SELECT count(*) FROM customers', equals: 7 }];
      },
    });
    const { postgres, mysql } = world.fixture.targets;
    const pgReason = 'assertion "a million companies": got 500, expected >= 1000000';
    const myReason = 'assertion "SELECT count(*) FROM customers": got 1000, expected = 7';

    const { failure } = await runNightlyExpectingFailure(world, { targets: [postgres, mysql] });
    expect(failure.message).toContain(`${postgres}: verify failed: ${pgReason}`);
    expect(failure.message).toContain(`${mysql}: verify failed: ${myReason}`);

    const [pgEntry] = await world.repository.list(postgres);
    const [myEntry] = await world.repository.list(mysql);
    expect(pgEntry!.verify).toMatchObject({ status: 'failed', reasons: [pgReason], rowCountDifferences: [] });
    expect(myEntry!.verify).toMatchObject({ status: 'failed', reasons: [myReason], rowCountDifferences: [] });
    expect(pgEntry!.verify!.restoredInto).toMatch(/^verify_/);
    expect(await leftoverVerifyDatabases(world.fixture.id)).toEqual([]);
  });

  it('a row count that differs from the manifest fails verify, naming the table and both counts', async () => {
    const world = await backupWorldForTest();
    const { postgres, mysql } = world.fixture.targets;
    await runNightly(world, { targets: [postgres, mysql] });

    // The manifest's counts are read in the dump's own snapshot; a dump that lost rows restores
    // fewer than it promises. Raising the promise by one stands for that, with the artifact intact.
    const lostRowIn = { [postgres]: 'public.companies', [mysql]: 'customers' };
    for (const entry of await world.repository.list()) {
      const table = lostRowIn[entry.target]!;
      const manifestFile = join(entry.dir, 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as BackupManifest;
      const counted = manifest.tables!.find((t) => t.table === table)!;
      counted.rows += 1;
      await writeFile(manifestFile, JSON.stringify(manifest, null, 2));

      const failure = await runVerifyExpectingFailure(world, entry.id);
      expect(failure.type).toBe('VerifyFailed');
      const [record] = failure.details as [VerifyRecord];
      expect(record.reasons).toEqual([`row counts differ in 1 table(s): ${table}`]);
      expect(record.rowCountDifferences).toEqual([{ table, expected: counted.rows, actual: counted.rows - 1 }]);
    }
    expect(await leftoverVerifyDatabases(world.fixture.id)).toEqual([]);
  });
});

const freeSpace = async (dir: string) => {
  const { bavail, bsize } = await statfs(dir);
  return bavail * bsize;
};

describe('a disk that fills up while dumping', () => {
  const mounted = new Set<string>();
  const unmount = async (dir: string) => {
    await execa('umount', [dir]);
    mounted.delete(dir);
  };
  afterAll(async () => {
    for (const dir of mounted) await unmount(dir);
  });

  /**
   * A real file system that is all but full: a tmpfs (mounting needs root, which these tests run
   * as) filled by one file up to `freeBytes`, far less than the ~85 KiB demo PostgreSQL dump.
   * It is unmounted as soon as the test finishes, before the fixture's directory is removed
   * (onTestFinished runs last-registered first); afterAll catches anything left mounted.
   */
  async function mountNearlyFullDisk(dir: string, freeBytes: number): Promise<void> {
    await mkdir(dir, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
    mounted.add(dir);
    onTestFinished(() => unmount(dir));
    await writeFile(join(dir, '.filler'), Buffer.alloc((await freeSpace(dir)) - freeBytes));
    expect(await freeSpace(dir)).toBeLessThanOrEqual(freeBytes);
  }

  it('fails the dump as disk full and leaves neither a partial nor a final backup', async () => {
    const world = await backupWorldForTest();
    const repositoryDir = world.fixture.config.repository;
    await mountNearlyFullDisk(repositoryDir, 16 * 1024);
    const { postgres } = world.fixture.targets;

    const { failure } = await runNightlyExpectingFailure(world, { targets: [postgres] });
    expect(failure.message).toContain(postgres);
    expect(failure.message).toContain('disk full');
    // Someone may free space: like any failure of the world, it is retried before the run gives up.
    expectRetriedWithBackoff(await dumpRun(world, postgres), 'TransientFailure', 'disk full');
    await expectDumpFailureChain(world, postgres, 'TransientFailure');

    expect(await namesIn(join(repositoryDir, postgres))).toEqual([]);
    expect(await world.repository.list()).toEqual([]);
  });
});
