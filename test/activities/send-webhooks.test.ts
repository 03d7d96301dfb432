import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendWebhooks, WEBHOOK_FAILURES_FILE } from '../../src/activities/notify/send-webhooks.js';
import { parseConfig, type OpsConfig } from '../../src/config/load-config.js';
import type { WebhookPayload } from '../../src/core/webhook-events.js';
import { startWebhookReceiver, type WebhookReceiverMode } from '../support/webhook-receiver.js';

const SECRET = 'whsec-8d1e44a0';
const QUICK = { backoffMs: 10, timeoutMs: 2_000 };
type OnFinished = (cleanup: () => Promise<void>) => void;

async function world(onFinished: OnFinished, mode: WebhookReceiverMode = 'ok', events = ['backup.failed', 'deploy.succeeded']) {
  const receiver = await startWebhookReceiver(SECRET, mode);
  const dir = await mkdtemp(join(tmpdir(), 'ops-webhooks-'));
  onFinished(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });
  const yaml = `stateDir: ${dir}\nnotify:\n  rateLimitMinutes: 5\n  webhooks:\n    - { url: "${receiver.url}", events: [${events.join(', ')}], secret: "\${HOOK_SECRET}" }\n`;
  const config: OpsConfig = parseConfig(yaml, join(dir, 'ops.config.yaml'), { HOOK_SECRET: SECRET });
  const lines: string[] = [];
  return { receiver, config, dir, lines, log: (line: string) => lines.push(line) };
}

const failed = (target: string): WebhookPayload => ({ event: 'backup.failed', time: '2026-12-07T02:00:00.000Z', outcome: 'dump failed', target, cause: `${target}: refused` });
const succeeded: WebhookPayload = { event: 'deploy.succeeded', time: '2026-12-07T02:00:00.000Z', outcome: 'succeeded', app: 'shop', stage: 'prod', sha: 'a'.repeat(40) };

describe('sendWebhooks', () => {
  it('only subscribed events go out; failures are rate limited per event and subject, successes never', async ({ onTestFinished }) => {
    const { receiver, config, log } = await world(onTestFinished);
    const at = (minute: number) => () => new Date(Date.UTC(2026, 11, 7, 2, minute));
    const drill: WebhookPayload = { event: 'drill.failed', time: 't', outcome: 'failed', target: 'crm-db' };

    expect((await sendWebhooks(config, [failed('crm-db'), succeeded, drill], { now: at(0), log, policy: QUICK })).map((d) => [d.event, d.status])).toEqual([['backup.failed', 'delivered'], ['deploy.succeeded', 'delivered']]);
    expect((await sendWebhooks(config, [failed('crm-db'), failed('wiki-db'), succeeded], { now: at(2), log, policy: QUICK })).map((d) => d.status)).toEqual(['suppressed', 'delivered', 'delivered']);
    expect((await sendWebhooks(config, [failed('crm-db')], { now: at(6), log, policy: QUICK })).map((d) => d.status)).toEqual(['delivered']);
    // Deliveries of one call go out at once: their order of arrival is not theirs to keep.
    expect(receiver.accepted.map((b) => [b.event, b.target ?? b.app]).sort()).toEqual([
      ['backup.failed', 'crm-db'], ['backup.failed', 'crm-db'], ['backup.failed', 'wiki-db'], ['deploy.succeeded', 'shop'], ['deploy.succeeded', 'shop'],
    ]);
  });

  it('a webhook added in front of the list gets its own limit, and the one that moved keeps its own', async ({ onTestFinished }) => {
    const { receiver: first, config, dir, log } = await world(onTestFinished);
    const added = await startWebhookReceiver(SECRET);
    onTestFinished(() => added.close());
    const hook = (url: string) => `    - { url: "${url}", events: [backup.failed], secret: "\${HOOK_SECRET}" }\n`;
    const reordered = parseConfig(`stateDir: ${dir}\nnotify:\n  rateLimitMinutes: 5\n  webhooks:\n${hook(added.url)}${hook(first.url)}`, join(dir, 'ops.config.yaml'), { HOOK_SECRET: SECRET });
    const at = (minute: number) => () => new Date(Date.UTC(2026, 11, 7, 2, minute));

    await sendWebhooks(config, [failed('crm-db')], { now: at(0), log, policy: QUICK });
    const deliveries = await sendWebhooks(reordered, [failed('crm-db')], { now: at(1), log, policy: QUICK });
    expect(deliveries.map((d) => [d.webhook, d.status])).toEqual([[new URL(added.url).origin, 'delivered'], [new URL(first.url).origin, 'suppressed']]);
    expect([first.accepted.length, added.accepted.length]).toEqual([1, 1]);
  });

  it('a 500 is retried up to the policy, then given up: logged by origin without secret or path, recorded for the metric, never thrown', async ({ onTestFinished }) => {
    const { receiver, config, dir, lines, log } = await world(onTestFinished, 'fail-500');
    const [delivery] = await sendWebhooks(config, [succeeded], { log, policy: { ...QUICK, attempts: 3 } });
    const origin = new URL(receiver.url).origin;
    expect(delivery).toEqual({ event: 'deploy.succeeded', webhook: origin, status: 'failed', attempts: 3, error: 'HTTP 500 (internal error)' });
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 500]);
    expect(lines).toEqual([`webhook deploy.succeeded to ${origin} not delivered after 3 attempts: HTTP 500 (internal error)`]);
    expect(lines.join('\n')).not.toContain(new URL(receiver.url).pathname);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(JSON.parse(await readFile(join(dir, WEBHOOK_FAILURES_FILE), 'utf8'))).toEqual({ at: expect.any(String), event: 'deploy.succeeded', webhook: origin, error: 'HTTP 500 (internal error)' });
  });

  it('a receiver that is not there: the network error names the cause, after every attempt', async ({ onTestFinished }) => {
    const { receiver, config, log } = await world(onTestFinished);
    await receiver.close();
    const [delivery] = await sendWebhooks(config, [succeeded], { log, policy: { ...QUICK, attempts: 2 } });
    expect(delivery).toMatchObject({ status: 'failed', attempts: 2, error: expect.stringContaining('ECONNREFUSED') });
  });
});
