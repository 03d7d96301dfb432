import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RunHistory } from '../../src/records/run-history.js';
import { workflowIds } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { progressQuery } from '../../src/workflows/progress.js';
import { activityRuns } from '../support/activity-history.js';
import { backupWorldForTest, namesIn, runNightly } from '../support/backup-world.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { alertingTo } from '../support/slack-alert-fixture.js';
import { startSlackReceiver } from '../support/slack-receiver.js';
import { startTestWorker } from '../support/test-worker.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';

describe('two runs backing up the same target at once', () => {
  it('a run refused for every target started nothing: no report, no alert, no history line, exit 3 from the CLI; a run refused for some reports them as skipped', async () => {
    const receiver = await startSlackReceiver();
    onTestFinished(() => receiver.close());
    // The PostgreSQL target, whose dump a table lock holds, and the quick files target.
    const world = await backupWorldForTest(alertingTo(receiver, { edit: (doc) => (doc.databases = [doc.databases[0]]) }));
    const { worker, repository, fixture } = world;
    const { postgres, files } = fixture.targets;
    const targetDir = join(fixture.config.repository, postgres);
    const lockId = workflowIds.backupTarget(postgres);
    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    const latestReport = join(fixture.config.reports, 'backup-report-latest.md');
    await mkdir(fixture.config.reports, { recursive: true });
    await writeFile(latestReport, 'the last real report\n');

    // The first run's dump waits on a table lock: it stays in progress, its partial on disk, until released.
    const release = await holdTableLock(fixture.pgDatabase, 'companies');
    const first = await worker.client.workflow.start(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [postgres] }] });
    let partial = '';
    await waitFor('the first run’s partial dump', async () => {
      partial = (await namesIn(targetDir)).find((name) => name.startsWith('.partial-')) ?? '';
      return partial !== '';
    }, 60_000);

    // A run that gets past any check (a schedule, a race) and finds its only target taken: skipped, not failed.
    const second = await runNightly(world, { targets: [postgres] });
    const skipped = `already running (${lockId})`;
    expect(second.result).toEqual({ targets: [{ target: postgres, skipped }], retention: [] });
    const steps = await worker.client.workflow.getHandle(second.workflowId).query(progressQuery);
    expect(steps.map((s) => [s.step, s.status, s.detail])).toEqual([
      ['plan', 'done', undefined],
      [`target ${postgres}`, 'skipped', skipped],
      ['targets', 'done', undefined],
      ['retention', 'skipped', 'nothing was backed up: every target is already running'],
      ['report', 'skipped', 'nothing was backed up: every target is already running'],
      ['health', 'skipped', 'nothing was backed up: every target is already running'],
    ]);
    expect(steps.find((s) => s.step === `target ${postgres}`)!.runId).toBeUndefined();
    expect(await readFile(latestReport, 'utf8')).toBe('the last real report\n');
    // The second run started no child of the target, so it swept nothing of the first.
    expect(existsSync(join(targetDir, partial))).toBe(true);
    expect((await worker.client.workflow.getHandle(lockId).describe()).status.name).toBe('RUNNING');

    // The CLI refuses before starting anything, naming the running run.
    const refused = await runCli(['--config', fixture.configFile, 'backup', '-t', postgres, '--wait'], env);
    expect(refused.exitCode).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(new RegExp(`^.*a backup of ${postgres} is already running since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z: ${lockId} \\(run [0-9a-f-]{36}\\)$`, 'm'));

    // Both targets: the files target is backed up; the taken one is skipped, and --wait never shows the other run's steps.
    const mixed = await runCli(['--config', fixture.configFile, 'backup', '--wait'], env);
    expect(mixed.stderr).toBe('');
    expect(mixed.exitCode).toBe(0);
    expect(mixed.stdout).toMatch(new RegExp(`${files} › dump\\s+done`));
    expect(mixed.stdout).not.toContain(`${postgres} ›`);
    expect(mixed.stdout).toContain(`backup finished: 1 target(s) OK, 1 skipped (${postgres} ${skipped}); report ${latestReport}`);
    const report = await readFile(latestReport, 'utf8');
    expect(report).toContain('# Nightly backup: OK');
    expect(report).toContain(`| ${postgres} | skipped: ${skipped} | — | — | — | — | no verified backup |`);
    expect(report).toContain(`## ${postgres} (postgres): skipped: ${skipped}`);
    expect(await repository.list(postgres)).toEqual([]);

    await release();
    const result = await first.result();
    expect(result.targets).toEqual([{ target: postgres, backupId: expect.stringMatching(new RegExp(`^${postgres}-`)) }]);
    const entries = await repository.list(postgres);
    expect(entries.map((e) => [e.id, e.verify?.status])).toEqual([[result.targets[0]!.backupId, 'passed']]);
    expect(await namesIn(targetDir)).toEqual([entries[0]!.stamp]);
    const [dump, ...more] = await activityRuns(worker.client, lockId, 'dumpTarget');
    expect(more).toEqual([]);
    expect([dump!.outcome, dump!.attempt]).toEqual(['completed', 1]);
    // Only the first run is in the target's history: the refused ones were no backup attempts.
    expect((await new RunHistory(fixture.config.repository).list([postgres])).map((r) => [r.dump, r.verify])).toEqual([['ok', 'passed']]);
    // No run alerted: the refusals were no failures, and the skipped target's missing backup was the running run's to judge.
    expect(receiver.requests).toEqual([]);

    // Once the first has ended, the target's id is free for the next run.
    const third = await runNightly(world, { targets: [postgres] });
    expect(third.result.targets).toEqual([{ target: postgres, backupId: expect.any(String) }]);
    expect(third.result.targets[0]!.backupId).not.toBe(result.targets[0]!.backupId);
  });

  it('ops backup --wait whose check passed, but whose every target another run took before its start: exit 3, no report, no alert', async () => {
    const receiver = await startSlackReceiver();
    onTestFinished(() => receiver.close());
    const world = await backupWorldForTest(alertingTo(receiver, { edit: (doc) => ((doc.databases = [doc.databases[0]]), (doc.files = [])) }));
    const { worker, fixture } = world;
    const { postgres } = fixture.targets;
    const lockId = workflowIds.backupTarget(postgres);
    const latestReport = join(fixture.config.reports, 'backup-report-latest.md');
    await mkdir(fixture.config.reports, { recursive: true });
    await writeFile(latestReport, 'the last real report\n');

    // The CLI's run goes to a task queue no worker polls yet: it passes the check and waits to start its child.
    const lateQueue = `late-${randomBytes(4).toString('hex')}`;
    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: lateQueue };
    const cli = runCli(['--config', fixture.configFile, 'backup', '-t', postgres, '--wait'], env);
    await waitFor('the CLI to start its run', async () => {
      for await (const run of worker.client.workflow.list({ query: `TaskQueue = '${lateQueue}'` })) if (run.status.name === 'RUNNING') return true;
      return false;
    }, 60_000, 250);

    // Meanwhile another run takes the target: its dump waits on a table lock.
    const release = await holdTableLock(fixture.pgDatabase, 'companies');
    onTestFinished(() => release());
    const first = await worker.client.workflow.start(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [postgres] }] });
    const targetDir = join(fixture.config.repository, postgres);
    await waitFor('the other run’s partial dump', async () => (await namesIn(targetDir)).some((name) => name.startsWith('.partial-')), 60_000, 250);
    const late = await startTestWorker(fixture.config, { taskQueue: lateQueue });
    onTestFinished(() => late.stop());

    const refused = await cli;

    expect(refused.exitCode).toBe(3);
    expect(refused.stderr.trim()).toBe(`error: nothing backed up: ${postgres} already running (${lockId})`);
    expect(refused.stdout).not.toContain(`${postgres} ›`);
    expect(await readFile(latestReport, 'utf8')).toBe('the last real report\n');
    expect(receiver.requests).toEqual([]);

    await release();
    expect((await first.result()).targets).toEqual([{ target: postgres, backupId: expect.any(String) }]);
    // The late worker's start-up clean-up left the running dump's partial alone: one attempt did it.
    expect((await activityRuns(worker.client, lockId, 'dumpTarget')).map((run) => [run.outcome, run.attempt])).toEqual([['completed', 1]]);
  });
});
