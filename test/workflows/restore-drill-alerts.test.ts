import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DrillStore } from '../../src/records/drill-store.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import type { DrillRecord } from '../../src/core/backup-health.js';
import { formatLocalTime } from '../../src/core/format.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { progressQuery } from '../../src/workflows/progress.js';
import { restoreDrill, type RestoreDrillInput } from '../../src/workflows/restore-drill.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { damageOffsiteCopy } from '../support/offsite-damage.js';
import { alertingTo, expectNoSecretsIn } from '../support/slack-alert-fixture.js';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.js';
import { startTestWorker, workflowBundle, type TestWorker } from '../support/test-worker.js';
import { leftoverVerifyDatabases } from '../support/verify-databases.js';

/** The Temporal UI the worker links alerts to; the dev server here runs headless, so only the link's form is checked. */
const UI_URL = 'http://127.0.0.1:8233';
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Failed drills on the real dev server: each is recorded and reported, fails the run with its
 * reason, and sends one "drill failed" alert over HTTP to the Slack stand-in, linking the run.
 * Each test fails a different target: the alert rate limit is per target.
 */
describe('a failed restore drill is recorded, reported and alerted', () => {
  let receiver: SlackReceiver;
  let fixture: BackupFixture;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startSlackReceiver();
    fixture = await makeBackupFixture(alertingTo(receiver, { offsite: 'local' }));
    worker = await startTestWorker(fixture.config, { uiUrl: UI_URL });
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{}] });
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.messages.length = 0;
  });

  /** Runs a drill that must fail and replays its history; returns its handle, the run link its alert should carry, and the DrillFailed failure. */
  async function failingDrill(input: RestoreDrillInput): Promise<{ handle: WorkflowHandle; link: string; failure: ApplicationFailure }> {
    const handle = await worker.client.workflow.start(restoreDrill, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('drill'), args: [input] });
    const error = await handle.result().then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('DrillFailed');
    // The new steps (run link, recorded pick failure) sit behind patched(): the run replays as it ran.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory(), handle.workflowId);
    return { handle, link: `${UI_URL}/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history`, failure: failure as ApplicationFailure };
  }

  it('a damaged offsite copy: one "Restore drill failed" naming the target, the backup and the checksum mismatch, with the run link', async () => {
    const target = fixture.targets.postgres;
    const backup = await damageOffsiteCopy(fixture, target);

    const { handle, link, failure } = await failingDrill({ target, pick: 'latest' });
    expect(failure.message).toMatch(new RegExp(`^restore drill of ${backup.id} failed: checksum mismatch: manifest [0-9a-f]{12}…, artifact [0-9a-f]{12}…$`));
    // The step that found the mismatch reads failed, with it, and every step that ran says how long it took.
    const steps = await handle.query(progressQuery);
    expect(steps.map((s) => [s.step, s.status])).toEqual([['pick', 'done'], ['fetch offsite copy', 'done'], ['restore and check', 'failed'], ['record', 'done']]);
    expect(steps[2]!.detail).toMatch(/^checksum mismatch: manifest [0-9a-f]{12}…, artifact [0-9a-f]{12}…$/);
    for (const step of steps) expect(Date.parse(step.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
    const texts = receiver.messages.map((m) => m.text);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(new RegExp(`^:rotating_light: Restore drill failed: ${target} — ${backup.id}: checksum mismatch: manifest [0-9a-f]{12}…, artifact [0-9a-f]{12}… <${escaped(link)}\\|run>$`));
    expectNoSecretsIn(texts, fixture);

    expect((await new DrillStore(fixture.config.repository).list()).at(-1)).toMatchObject({ target, backupId: backup.id, status: 'failed' });
    expect(readFileSync(join(fixture.config.reports, 'drill-report-latest.md'), 'utf8')).toContain(`# Restore drill ${target}: FAILED`);
    expect(readdirSync(join(fixture.config.repository, '.drill-work'))).toEqual([]);
    expect(await leftoverVerifyDatabases(fixture.id)).toEqual([]);
    // The local copy is fine: only the restore from offsite noticed.
    expect((await new BackupRepository(fixture.config.repository).get(backup.id)).verify?.status).toBe('passed');
  });

  it('no backup in the window: a recorded FAIL with the reason, a report, one alert with the run link, and a failed run', async () => {
    const target = fixture.targets.mysql;
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    const reason = `no backups of ${target} in the last 1e-9 days (newest finished ${formatLocalTime(backup!.manifest.finishedAt, fixture.config.timeZone)})`;

    const { handle, link, failure } = await failingDrill({ target, pick: 'random', windowDays: 1e-9 });
    expect(failure.message).toBe(`restore drill of ${target} failed: ${reason}`);
    const record = failure.details?.[0] as DrillRecord;
    expect(record).toMatchObject({ target, status: 'failed', reasons: [reason] });
    expect(record).not.toHaveProperty('backupId');
    expect((await new DrillStore(fixture.config.repository).list()).find((d) => d.id === record.id)).toEqual(record);

    const report = readFileSync(join(fixture.config.reports, 'drill-report-latest.md'), 'utf8');
    expect(report).toContain(`# Restore drill ${target}: FAILED`);
    expect(report).toContain('- Backup: none qualified, nothing was restored');
    expect(report).toContain(`## Why it failed\n\n- ${reason}`);

    expect(receiver.messages.map((m) => m.text)).toEqual([`:rotating_light: Restore drill failed: ${target} — ${reason} <${link}|run>`]);
    expect(await handle.query(progressQuery)).toMatchObject([
      { step: 'pick', status: 'failed', detail: reason },
      { step: 'fetch offsite copy', status: 'skipped' },
      { step: 'restore and check', status: 'skipped' },
      { step: 'record', status: 'done' },
    ]);
  });
});
