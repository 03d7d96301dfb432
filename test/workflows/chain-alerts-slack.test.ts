import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runUrl } from '../../src/temporal/connection-settings.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { activityRuns } from '../support/activity-history.js';
import type { BackupFixture, FixtureOptions } from '../support/backup-fixture.js';
import { backupWorldForTest, type BackupWorld } from '../support/backup-world.js';
import { testServers } from '../support/servers.js';
import { alertingTo, expectNoSecretsIn, onlyPostgresTarget } from '../support/slack-alert-fixture.js';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-receiver.js';

/** The UI the starters and the worker link to; the dev server here runs headless, so only the link's form is checked. */
const UI = { uiUrl: 'http://127.0.0.1:8233', namespace: 'default' };
const wrongPassword: FixtureOptions = { env: { PG_WRONG_PASSWORD: 'not-the-password' }, edit: (doc) => (doc.databases[0].password = '${PG_WRONG_PASSWORD}') };

/** A backup world of the PostgreSQL target alone, alerting to a local HTTP receiver that stands in for Slack. */
async function alertingWorld(options: FixtureOptions = {}): Promise<{ world: BackupWorld; receiver: SlackReceiver }> {
  const receiver = await startSlackReceiver();
  onTestFinished(() => receiver.close());
  const edit = (doc: Record<string, any>) => {
    onlyPostgresTarget(doc);
    options.edit?.(doc);
  };
  const world = await backupWorldForTest(alertingTo(receiver, { ...options, edit }), { uiUrl: UI.uiUrl });
  return { world, receiver };
}

/** Runs the nightly chain, as `ops backup` starts it (with the link to its run), expecting it to fail; returns the workflow id and that link. */
async function runFailingChain(world: BackupWorld): Promise<{ workflowId: string; link: string }> {
  const workflowId = world.worker.workflowId('nightly');
  const link = runUrl(UI, workflowId)!;
  const run = world.worker.client.workflow.execute(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [{ runUrl: link }] });
  await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
  return { workflowId, link };
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The nightly chain on the real dev server, its alerts delivered over HTTP to the Slack stand-in:
 * what reached the channel is asserted, not what the workflow meant to send.
 */
describe('nightly chain alerts reach Slack', () => {
  const pg = () => testServers().postgres;
  it.each<[string, FixtureOptions, (fixture: BackupFixture) => string]>([
    [
      'a wrong password',
      wrongPassword,
      (f) => `postgres://reader_${f.id}@${pg().host}:${pg().port}/${f.pgDatabase}: password authentication failed for user "reader_${f.id}" (28P01)`,
    ],
    [
      'a missing database',
      { edit: (doc) => (doc.databases[0].url = doc.databases[0].url.replace(/\/[^/]+$/, '/missing_db')) },
      (f) => `postgres://reader_${f.id}@${pg().host}:${pg().port}/missing_db: database "missing_db" does not exist (3D000)`,
    ],
  ])('backup failed (%s): names the target and the cause, links the run, never shows a secret', async (_name, options, causeOf) => {
    const { world, receiver } = await alertingWorld(options);
    const target = world.fixture.targets.postgres;
    const { workflowId, link } = await runFailingChain(world);

    expect(link).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${workflowId}`);
    const texts = receiver.messages.map((m) => m.text);
    expect(texts).toEqual([
      `:rotating_light: Backup failed: ${target} — ${target}: ${causeOf(world.fixture)} <${link}|run>`,
      // Nothing of the target was backed up, so the chain's health check adds its RPO alert.
      `:rotating_light: RPO exceeded: ${target} — no backup yet <${link}|run>`,
    ]);
    expectNoSecretsIn(texts, world.fixture);
    expect(await activityRuns(world.worker.client, workflowId, 'sendAlert')).toMatchObject([
      { attempt: 1, outcome: 'completed' },
      { attempt: 1, outcome: 'completed' },
    ]);
  });

  it('a run started without a link, as a schedule starts it, links to itself through the worker\'s Temporal UI address', async () => {
    const { world, receiver } = await alertingWorld(wrongPassword);
    const target = world.fixture.targets.postgres;
    const workflowId = world.worker.workflowId('nightly-backup');
    const handle = await world.worker.client.workflow.start(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [{}] });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const link = `${UI.uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}/history`;
    expect(receiver.messages.map((m) => m.text)).toEqual([
      expect.stringMatching(new RegExp(`^:rotating_light: Backup failed: ${target} — ${target}: .*password authentication failed.* <${escaped(link)}\\|run>$`)),
      `:rotating_light: RPO exceeded: ${target} — no backup yet <${link}|run>`,
    ]);
    expect(await readFile(join(world.fixture.config.reports, 'backup-report-latest.md'), 'utf8')).toContain(link);
  });

  it('offsite copy failed: one "offsite failed" alert naming the target and the cause; the dump verified, so no other', async () => {
    let notADirectory = '';
    const { world, receiver } = await alertingWorld({
      offsite: 'local',
      edit: (doc) => {
        // Offsite under a regular file: mkdir fails there whoever runs it, root included.
        notADirectory = join(dirname(doc.stateDir), 'offsite-is-a-file');
        writeFileSync(notADirectory, 'not a directory\n');
        doc.backup.offsite = join(notADirectory, 'copies');
      },
    });
    const target = world.fixture.targets.postgres;
    const { link } = await runFailingChain(world);

    const texts = receiver.messages.map((m) => m.text);
    expect(texts).toHaveLength(1);
    // mkdir quotes the path with ‘’ or '' depending on the locale.
    const cause = `${target}: offsite copy failed: mkdir failed \\(exit 1\\): mkdir: cannot create directory [‘']${escaped(notADirectory)}[’']: Not a directory`;
    expect(texts[0]).toMatch(new RegExp(`^:warning: Offsite copy failed: ${target} — ${cause} <${escaped(link)}\\|run>$`));
    expectNoSecretsIn(texts, world.fixture);
    const [entry] = await world.repository.list(target);
    expect(entry!.verify?.status).toBe('passed');
    expect(entry!.offsite).toMatchObject({ status: 'failed' });
  });

  it('verify failed: nothing after the first failure, exactly one "verify failed repeatedly" after the second (health.consecutiveVerifyFailures: 2)', async () => {
    // As it reaches Slack: renderAlertText escapes Slack's control characters (& < >).
    const reason = 'assertion "a million companies": got 500, expected &gt;= 1000000';
    const { world, receiver } = await alertingWorld({
      edit: (doc) => {
        doc.databases[0].assertions = [{ name: 'a million companies', sql: 'SELECT count(*) FROM companies', min: 1_000_000 }];
        doc.health = { consecutiveVerifyFailures: 2 };
      },
    });
    const target = world.fixture.targets.postgres;

    const first = await runFailingChain(world);
    // The only valid-looking dump failed verify: that is an RPO breach, but not yet "repeatedly".
    expect(receiver.messages.map((m) => m.text)).toEqual([`:rotating_light: RPO exceeded: ${target} — no valid dump: all 1 backup failed verify <${first.link}|run>`]);

    const second = await runFailingChain(world);
    // The RPO alert again is within the rate limit (5 min) and is held back.
    expect(receiver.messages.slice(1).map((m) => m.text)).toEqual([
      `:rotating_light: Verify-restore failed repeatedly: ${target} — ${target}: verify failed: ${reason} <${second.link}|run>`,
    ]);
    expectNoSecretsIn(receiver.messages.map((m) => m.text), world.fixture);
  });
});
