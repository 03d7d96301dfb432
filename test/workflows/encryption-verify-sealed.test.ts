import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sha256OfFile } from '../../src/activities/files/hash-tree.js';
import type { SealedContents, SealedFindings, TableCount } from '../../src/core/backup-record.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { verifyBackupRun } from '../../src/workflows/verify-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { DrillStore } from '../../src/records/drill-store.js';
import { encryptionFor, makeAgeKey, type AgeKey } from '../support/age-keys.js';
import { backupWorldForTest, runNightly } from '../support/backup-world.js';
import { historyText } from '../support/history-text.js';
import { targetsAsAdmin } from '../support/restored-databases.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { alertingTo, onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { startSlackReceiver } from '../support/slack-receiver.js';
import { startTestWorker } from '../support/test-worker.js';
import { filesUnder } from '../support/stored-files.js';

/** The PostgreSQL fixture's tables: none may be named in a plaintext file, an alert or a run's history. */
const TABLE_NAMES = ['companies', 'contacts', 'deals'];

let keysDir: string;
let key: AgeKey;

beforeAll(async () => {
  keysDir = await mkdtemp(join(testServers().scratchRoot, 'age-'));
  key = await makeAgeKey(keysDir, 'ops');
});
afterAll(async () => {
  await rm(keysDir, { recursive: true, force: true });
});

describe('a failed verify of an encrypted backup names no table in the clear', () => {
  it('a failing drill and restore, a chain whose assertion fails, a re-verify whose row count differs: plaintext files, alerts and the runs\' histories say counts; the sealed files name them for the identity alone', async () => {
    const receiver = await startSlackReceiver();
    onTestFinished(() => receiver.close());
    const world = await backupWorldForTest(alertingTo(receiver, {
      offsite: 'local',
      edit: (doc) => {
        onlyPostgresTarget(doc);
        targetsAsAdmin(doc);
        doc.backup.encryption = encryptionFor([key], key);
      },
    }));
    const target = world.fixture.targets.postgres;
    await runNightly(world, { targets: [target] });
    const [entry] = await world.repository.list(target);
    expect(entry!.verify?.status).toBe('passed');

    // From here on an assertion the data cannot meet, on a worker of its own.
    const doc = parse(await readFile(world.fixture.configFile, 'utf8')) as Record<string, any>;
    doc.health = { consecutiveVerifyFailures: 1 };
    doc.databases[0].assertions = [{ name: 'enough rows', sql: 'SELECT count(*) FROM companies', min: 1_000_000 }];
    const strictFile = join(world.fixture.dir, 'strict.config.yaml');
    await writeFile(strictFile, stringify(doc));
    const strict = await startTestWorker(loadConfig(strictFile, world.fixture.env));
    const fails = (workflow: Parameters<typeof strict.client.workflow.execute>[0], workflowId: string, args: unknown[]) =>
      expect(strict.client.workflow.execute(workflow, { taskQueue: strict.taskQueue, workflowId, args } as never)).rejects.toBeInstanceOf(WorkflowFailedError);
    const assertionReason = '1 assertion(s) failed (details sealed: verify.json.age)';
    const drillId = strict.workflowId('drill');
    const verifyId = strict.workflowId('verify');
    const nightlyId = strict.workflowId('nightly');
    const restoreId = strict.workflowId('restore');
    let companies: TableCount;
    let restoreFailure: unknown;
    try {
      await fails(restoreDrill, drillId, [{ target, pick: 'latest' }]);
      restoreFailure = await strict.client.workflow.execute(restoreBackup, { taskQueue: strict.taskQueue, workflowId: restoreId, args: [{ target, pick: { latest: true } }] }).then(() => undefined, (err: unknown) => err);
      // Before the re-verify: retention keeps the one backup that passed.
      await fails(nightlyBackup, nightlyId, [{ targets: [target] }]);

      // A row count the restore cannot match: the sealed contents re-sealed claiming one more company.
      const contentsPath = join(entry!.dir, entry!.manifest.encryption!.sealed.file);
      const contents = JSON.parse(execFileSync('age', ['--decrypt', '-i', key.identityFile, contentsPath], { encoding: 'utf8' })) as SealedContents;
      companies = contents.tables.find((t) => t.table === 'public.companies')!;
      companies.rows += 1;
      execFileSync('age', ['--encrypt', '-r', key.recipient, '-o', contentsPath], { input: JSON.stringify(contents) });
      await world.repository.replaceManifest({ ...entry!.manifest, encryption: { ...entry!.manifest.encryption!, sealed: { ...entry!.manifest.encryption!.sealed, sha256: await sha256OfFile(contentsPath), bytes: (await stat(contentsPath)).size } } });
      await fails(verifyBackupRun, verifyId, [{ backupId: entry!.id }]);
    } finally {
      await strict.stop();
    }

    const [drilled] = await new DrillStore(world.fixture.config.repository).list();
    expect(drilled!.reasons).toEqual([`1 assertion(s) failed (details sealed: ${drilled!.id}.json.age)`]);
    const drillSealed = join(world.fixture.config.repository, '.drills', `${drilled!.id}.json.age`);
    const assertionFailed = `assertion "enough rows": got ${companies.rows - 1}, expected >= 1000000`;
    expect(JSON.parse(execFileSync('age', ['--decrypt', '-i', key.identityFile, drillSealed], { encoding: 'utf8' }))).toEqual({ reasons: [assertionFailed], rowCountDifferences: [] });

    const reverified = await world.repository.get(entry!.id);
    const reasons = ['row counts differ in 1 table(s)', assertionReason];
    expect(reverified.verify).toMatchObject({ status: 'failed', reasons, rowCountDifferences: [], sealed: 'verify.json.age' });
    const sealed = JSON.parse(execFileSync('age', ['--decrypt', '-i', key.identityFile, join(entry!.dir, 'verify.json.age')], { encoding: 'utf8' })) as SealedFindings;
    expect(sealed).toEqual({ reasons: ['row counts differ in 1 table(s): public.companies', assertionFailed], rowCountDifferences: [{ table: 'public.companies', expected: companies.rows, actual: companies.rows - 1 }] });

    // The restore that failed the same assertion: its reasons and checks by counts, the named verdicts sealed beside its report.
    const restoreSealed = `${restoreId}.checks.json.age`;
    expect(restoreFailure).toBeInstanceOf(WorkflowFailedError);
    expect((restoreFailure as WorkflowFailedError).cause?.message).toContain(`1 assertion(s) failed (details sealed: ${restoreSealed})`);
    const restoreReport = (await filesUnder(world.fixture.config.reports)).find((file) => file.includes(`restore-${target}-`) && file.endsWith('.md'));
    expect(await readFile(restoreReport!, 'utf8')).toContain(`| assertions | FAIL | 0 of 1 passed (details sealed: ${restoreSealed}) |`);
    const restoreChecks = JSON.parse(execFileSync('age', ['--decrypt', '-i', key.identityFile, join(world.fixture.config.reports, restoreSealed)], { encoding: 'utf8' })) as { checks: Array<{ check: string; passed: boolean }>; reasons: string[] };
    expect(restoreChecks.reasons).toEqual([assertionFailed]);
    expect(restoreChecks.checks).toContainEqual(expect.objectContaining({ check: 'rows of public.companies', passed: true }));
    expect(restoreChecks.checks).toContainEqual(expect.objectContaining({ check: 'assertion enough rows', passed: false }));

    const [, latest] = await world.repository.list(target);
    expect(latest!.verify).toMatchObject({ status: 'failed', reasons: [assertionReason], rowCountDifferences: [], sealed: 'verify.json.age' });
    const alerts = receiver.messages.map((m) => m.text);
    expect(alerts.some((text) => text.includes(`${target}: verify failed: ${assertionReason}`))).toBe(true);
    expect(alerts.some((text) => text.includes(`1 assertion(s) failed (details sealed: ${drilled!.id}.json.age)`))).toBe(true);

    const { config } = world.fixture;
    const dirs = await Promise.all([config.repository, config.reports, config.stateDir, world.fixture.offsiteDir].map(filesUnder));
    const plaintext = dirs.flat().filter((file) => !file.endsWith('.age'));
    expect(plaintext.length).toBeGreaterThan(3);
    const texts = [
      ...(await Promise.all(plaintext.map(async (file) => `${file}\n${await readFile(file, 'latin1')}`))),
      ...alerts,
      ...(await Promise.all([drillId, verifyId, nightlyId, restoreId, workflowIds.backupTarget(target)].map((id) => historyText(world.worker.client.workflow.getHandle(id))))),
    ];
    for (const text of texts) for (const name of [...TABLE_NAMES, 'enough rows']) expect(text).not.toContain(name);

    const shown = await runCli(['--config', world.fixture.configFile, 'backups', 'show', entry!.id], world.fixture.env);
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain(`verify: failed\n  ${reasons[0]}\n  ${reasons[1]}\nsealed details (verify.json.age):\n  row counts differ in 1 table(s): public.companies\n  ${assertionFailed}\n  public.companies: manifest ${companies.rows}, restored ${companies.rows - 1}`);
    expect(shown.exitCode).toBe(0);
  });
});
