import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALERT_STATE_FILE, sendAlert } from '../../src/activities/notify/send-alert.js';
import { loadConfig, type OpsConfig } from '../../src/config/load-config.js';
import type { AlertEvent } from '../../src/core/alert-rules.js';
import { startSlackReceiver, type ReceiverMode, type SlackReceiver } from '../support/slack-receiver.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

type OnFinished = (cleanup: () => Promise<void>) => void;

const RUN_URL = 'http://127.0.0.1:8233/namespaces/default/workflows/deploy-crm/run-1/history';
const MINUTE = 60_000;
const T0 = Date.parse('2025-06-01T10:00:00Z');
const at = (minutes: number) => () => new Date(T0 + minutes * MINUTE);

/** What an operator would see: a real Slack stand-in, a real SMTP sink, a config file, and whatever was logged. */
interface AlertWorld {
  config: OpsConfig;
  configFile: string;
  env: Record<string, string>;
  stateFile: string;
  receiver: SlackReceiver;
  sink: SmtpSink;
  logged: string[];
  log: (line: string) => void;
  /** Every secret of the config: none may appear in a payload, an email or a returned error. */
  secrets: string[];
}

async function alertWorld(onFinished: OnFinished, options: { slack?: boolean; email?: boolean; mode?: ReceiverMode; rateLimitMinutes?: number } = {}): Promise<AlertWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'ops-alert-'));
  const receiver = await startSlackReceiver(options.mode);
  const sink = await startSmtpSink();
  onFinished(async () => {
    await receiver.close();
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });
  const env = { SLACK_WEBHOOK_URL: receiver.url, SHOP_DB_PASSWORD: `pw-${randomBytes(8).toString('hex')}` };
  const notify: Record<string, unknown> = {};
  if (options.slack !== false) notify.slack = { webhookUrl: '${SLACK_WEBHOOK_URL}' };
  if (options.email) notify.email = { smtp: { host: sink.host, port: sink.port }, from: 'ops <ops@example.test>', to: ['oncall@example.test', 'lead@example.test'] };
  if (options.rateLimitMinutes !== undefined) notify.rateLimitMinutes = options.rateLimitMinutes;
  const configFile = join(dir, 'ops.config.yaml');
  await writeFile(
    configFile,
    stringify({
      stateDir: join(dir, 'state'),
      notify,
      databases: [{ name: 'shop-db', url: 'postgres://ops@127.0.0.1:5432/shop', password: '${SHOP_DB_PASSWORD}' }],
      backup: { verify: { postgres: { url: 'postgres://admin@127.0.0.1:5432' } } },
    }),
  );
  const logged: string[] = [];
  return {
    config: loadConfig(configFile, env),
    configFile,
    env,
    stateFile: join(dir, 'state', ALERT_STATE_FILE),
    receiver,
    sink,
    logged,
    log: (line) => logged.push(line),
    secrets: [env.SLACK_WEBHOOK_URL, new URL(env.SLACK_WEBHOOK_URL).pathname.split('/').pop()!, env.SHOP_DB_PASSWORD],
  };
}

const deployFailed: AlertEvent = { kind: 'deploy-failed', subject: 'crm', cause: 'on staging: docker compose build on web1 failed (exit 1): npm ERR! Missing script: "build"', runUrl: RUN_URL };
const backupFailed = (subject: string): AlertEvent => ({ kind: 'backup-failed', subject, cause: 'pg_dump failed (exit 1): connection refused' });

function expectNoSecret(world: AlertWorld, ...texts: unknown[]): void {
  const everything = JSON.stringify([texts, world.receiver.requests, world.sink.mails, world.logged]);
  for (const secret of world.secrets) expect(everything).not.toContain(secret);
}

async function stateOf(world: AlertWorld): Promise<unknown> {
  return JSON.parse(await readFile(world.stateFile, 'utf8'));
}

describe.concurrent('sendAlert to Slack', () => {
  it('posts one line naming the target and the cause, with the run link, and records the send', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished);
    const result = await sendAlert(world.config, deployFailed, { now: at(0), log: world.log });

    expect(result).toEqual({ delivered: 'slack' });
    expect(world.receiver.messages).toEqual([
      { text: `:x: Deploy failed: crm — on staging: docker compose build on web1 failed (exit 1): npm ERR! Missing script: "build" <${RUN_URL}|run>` },
    ]);
    expect(await stateOf(world)).toEqual({ 'deploy-failed:crm': { lastSentAt: '2025-06-01T10:00:00.000Z', suppressed: 0 } });
    expect(world.sink.mails).toEqual([]);
    expect(world.logged).toEqual([]);
  });

  it('never carries a secret: a config secret in the cause is redacted', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished);
    const leaky = backupFailed('shop-db');
    leaky.cause = `psql: password ${world.env.SHOP_DB_PASSWORD} rejected for ${world.env.SLACK_WEBHOOK_URL}`;
    const result = await sendAlert(world.config, leaky, { now: at(0), log: world.log });

    expect(result).toEqual({ delivered: 'slack' });
    expect(world.receiver.messages).toEqual([{ text: ':rotating_light: Backup failed: shop-db — psql: password [redacted] rejected for [redacted]' }]);
    expectNoSecret(world, result);
  });
});

describe.concurrent('sendAlert rate limit', () => {
  it('two identical events within the limit: one message; the next after the limit says how many were held back', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished);
    const send = (minutes: number, event = deployFailed) => sendAlert(world.config, event, { now: at(minutes), log: world.log });

    expect(await send(0)).toEqual({ delivered: 'slack' });
    expect(await send(1)).toEqual({ delivered: 'suppressed' });
    expect(await send(4.9)).toEqual({ delivered: 'suppressed' });
    expect(await send(2, backupFailed('shop-db'))).toEqual({ delivered: 'slack' });
    expect(world.receiver.messages.map((m) => m.text)).toEqual([
      expect.stringMatching(/^:x: Deploy failed: crm — /),
      ':rotating_light: Backup failed: shop-db — pg_dump failed (exit 1): connection refused',
    ]);

    expect(await send(5)).toEqual({ delivered: 'slack' });
    expect(world.receiver.messages).toHaveLength(3);
    // Since the first one was sent, in the config's zone (Europe/Prague, the default).
    expect(world.receiver.messages[2]!.text).toBe(`${world.receiver.messages[0]!.text} (2 repeats suppressed since 2025-06-01 12:00:00 +02:00)`);
    expect(await stateOf(world)).toEqual({
      'deploy-failed:crm': { lastSentAt: '2025-06-01T10:05:00.000Z', suppressed: 0 },
      'backup-failed:shop-db': { lastSentAt: '2025-06-01T10:02:00.000Z', suppressed: 0 },
    });
  });

  it('survives a restart: the state file is the memory, and a freshly loaded config (a new worker) honours it', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { rateLimitMinutes: 30 });
    expect(await sendAlert(world.config, deployFailed, { now: at(0), log: world.log })).toEqual({ delivered: 'slack' });
    expect(await stateOf(world)).toEqual({ 'deploy-failed:crm': { lastSentAt: '2025-06-01T10:00:00.000Z', suppressed: 0 } });

    const restarted = loadConfig(world.configFile, world.env);
    expect(await sendAlert(restarted, deployFailed, { now: at(10), log: world.log })).toEqual({ delivered: 'suppressed' });
    expect(await stateOf(world)).toEqual({ 'deploy-failed:crm': { lastSentAt: '2025-06-01T10:00:00.000Z', suppressed: 1 } });
    expect(world.receiver.messages).toHaveLength(1);

    const again = loadConfig(world.configFile, world.env);
    expect(await sendAlert(again, deployFailed, { now: at(30), log: world.log })).toEqual({ delivered: 'slack' });
    expect(world.receiver.messages[1]!.text).toMatch(/\(1 repeat suppressed since 2025-06-01 12:00:00 \+02:00\)$/);
  });

  it.for([
    ['not JSON', '{"deploy-failed:crm": {"lastSentAt": "2025-06-01T09:59', true],
    ['not an object', '[1, 2]', true],
    ['entries of the wrong shape', '{"deploy-failed:crm": null, "backup-failed:other": {"lastSentAt": 5, "suppressed": "many"}}', false],
  ] as const)('a damaged state file (%s) counts as empty: the alert goes out, and the file is whole again', async ([, content, saysDamaged], { onTestFinished }) => {
    const world = await alertWorld(onTestFinished);
    await sendAlert(world.config, backupFailed('other'), { now: at(0), log: world.log });
    await writeFile(world.stateFile, content);

    expect(await sendAlert(world.config, deployFailed, { now: at(1), log: world.log })).toEqual({ delivered: 'slack' });
    expect(await stateOf(world)).toEqual({ 'deploy-failed:crm': { lastSentAt: '2025-06-01T10:01:00.000Z', suppressed: 0 } });
    expect(world.logged).toEqual(saysDamaged ? [expect.stringMatching(/^alert state .*alert-state\.json is damaged \(.*\); rate limits start afresh$/)] : []);
  });

  it('alerts of several keys at once: each delivered, and the state file stays whole JSON', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished);
    const subjects = ['a', 'b', 'c', 'd', 'e', 'f'];
    const results = await Promise.all(subjects.map((s) => sendAlert(world.config, backupFailed(s), { now: at(0), log: world.log })));

    expect(results).toEqual(subjects.map(() => ({ delivered: 'slack' })));
    expect(world.receiver.messages).toHaveLength(subjects.length);
    const state = (await stateOf(world)) as Record<string, unknown>;
    for (const entry of Object.values(state)) expect(entry).toEqual({ lastSentAt: '2025-06-01T10:00:00.000Z', suppressed: 0 });
  });
});

describe.concurrent('sendAlert when Slack fails', () => {
  it('a webhook answering 500: three attempts, then the email names the target, the cause, the run and why', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { mode: 'fail-500', email: true });
    const result = await sendAlert(world.config, deployFailed, { now: at(0), log: world.log });

    const slackError = 'Slack webhook failed after 3 attempts: HTTP 500 (internal_error)';
    expect(result).toEqual({ delivered: 'email', error: slackError });
    expect(world.receiver.requests).toHaveLength(3);
    expect(world.sink.mails).toHaveLength(1);
    const [mail] = world.sink.mails;
    expect(mail).toMatchObject({ from: 'ops@example.test', to: ['oncall@example.test', 'lead@example.test'], subject: 'Deploy failed: crm' });
    expect(mail!.text).toBe(
      `Deploy failed: crm — on staging: docker compose build on web1 failed (exit 1): npm ERR! Missing script: "build" run: ${RUN_URL}\n\n` +
        `Sent by email because Slack failed: ${slackError}\n`,
    );
    expect(await stateOf(world)).toEqual({ 'deploy-failed:crm': { lastSentAt: '2025-06-01T10:00:00.000Z', suppressed: 0 } });
    expectNoSecret(world, result);
  });

  it('a webhook that hangs: each attempt times out, then the email goes out', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { mode: 'hang', email: true });
    const started = Date.now();
    const result = await sendAlert(world.config, deployFailed, { now: at(0), log: world.log, slack: { timeoutMs: 300, backoffMs: 50 } });

    expect(result).toEqual({ delivered: 'email', error: 'Slack webhook failed after 3 attempts: The operation was aborted due to timeout' });
    expect(world.receiver.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 300);
    expect(world.sink.mails).toHaveLength(1);
    expect(world.sink.mails[0]!.subject).toBe('Deploy failed: crm');
    expect(world.sink.mails[0]!.text).toContain('Sent by email because Slack failed: Slack webhook failed after 3 attempts: The operation was aborted due to timeout');
    expectNoSecret(world, result);
  });

  it('a webhook that answers 4xx is not retried: a revoked webhook stays revoked', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { mode: 'fail-404', email: true });
    const result = await sendAlert(world.config, deployFailed, { now: at(0), log: world.log });

    expect(result).toEqual({ delivered: 'email', error: 'Slack webhook failed after 1 attempt: HTTP 404 (no_service)' });
    expect(world.receiver.requests).toHaveLength(1);
    expect(world.sink.mails).toHaveLength(1);
  });

  it('Slack and email both failing: delivered none, both causes returned and logged, and not counted as sent', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { mode: 'fail-500', email: true });
    await world.sink.close();
    const result = await sendAlert(world.config, deployFailed, { now: at(0), log: world.log, slack: { backoffMs: 10 } });

    expect(result.delivered).toBe('none');
    expect(result.error).toMatch(/^Slack webhook failed after 3 attempts: HTTP 500 \(internal_error\); email failed: .*ECONNREFUSED/);
    expect(world.logged).toEqual([`alert deploy-failed:crm not delivered: ${result.error}`]);
    expect(existsSync(world.stateFile)).toBe(false);
    expectNoSecret(world, result);

    world.receiver.mode = 'ok';
    expect(await sendAlert(world.config, deployFailed, { now: at(1), log: world.log })).toEqual({ delivered: 'slack' });
  });

  it('Slack unreachable and no email: delivered none, the error without the webhook URL', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished);
    await world.receiver.close();
    const result = await sendAlert(world.config, deployFailed, { now: at(0), log: world.log, slack: { backoffMs: 10 } });

    expect(result).toEqual({ delivered: 'none', error: expect.stringMatching(/^Slack webhook failed after 3 attempts: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/) });
    expectNoSecret(world, result);
  });
});

describe.concurrent('sendAlert without Slack', () => {
  it('no webhook and no email: delivered none, nothing said (the worker said alerts are off at start), nothing written', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { slack: false });
    expect(await sendAlert(world.config, deployFailed, { log: world.log })).toEqual({ delivered: 'none' });
    expect(await sendAlert(world.config, backupFailed('shop-db'), { log: world.log })).toEqual({ delivered: 'none' });

    expect(world.logged).toEqual([]);
    expect(world.receiver.requests).toEqual([]);
    expect(world.sink.mails).toEqual([]);
    expect(existsSync(world.stateFile)).toBe(false);
  });

  it('email only: the alert is mailed, rate limited the same way', async ({ onTestFinished }) => {
    const world = await alertWorld(onTestFinished, { slack: false, email: true });
    expect(await sendAlert(world.config, deployFailed, { now: at(0), log: world.log })).toEqual({ delivered: 'email' });
    expect(await sendAlert(world.config, deployFailed, { now: at(1), log: world.log })).toEqual({ delivered: 'suppressed' });

    expect(world.sink.mails).toHaveLength(1);
    expect(world.sink.mails[0]!.text).toBe(`Deploy failed: crm — on staging: docker compose build on web1 failed (exit 1): npm ERR! Missing script: "build" run: ${RUN_URL}\n`);
    expect(world.logged).toEqual([]);
  });
});
