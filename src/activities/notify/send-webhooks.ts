import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSecrets } from '../../config/config-secrets.js';
import type { OpsConfig } from '../../config/load-config.js';
import { redact } from '../../config/secret.js';
import { decideRateLimit } from '../../core/alert-rules.js';
import { describeError } from '../../core/errors.js';
import { formatWebhookFailureLine } from '../../core/webhook-failures.js';
import { RATE_LIMITED_EVENTS, webhookSignature, type WebhookPayload } from '../../core/webhook-events.js';
import { webhookRateLimitKey } from '../../core/webhook-keys.js';
import { appendLine } from '../../records/append-line.js';
import { AlertStateStore } from '../../records/alert-state-store.js';
import { ALERT_STATE_FILE } from './send-alert.js';

export const WEBHOOK_FAILURES_FILE = 'webhook-failures.jsonl';

export interface WebhookPolicy {
  attempts: number;
  /** Per attempt: a receiver that hangs must not hold the delivery for long. */
  timeoutMs: number;
  /** Before the second attempt; doubled before each further one. */
  backoffMs: number;
}

export const WEBHOOK_POLICY: WebhookPolicy = { attempts: 4, timeoutMs: 5_000, backoffMs: 1_000 };

export interface WebhookDelivery {
  event: string;
  /** the receiver's origin: its path may carry a token */
  webhook: string;
  status: 'delivered' | 'suppressed' | 'failed';
  attempts: number;
  error?: string;
}

export interface SendWebhooksDeps {
  now?: () => Date;
  log?: (line: string) => void;
  policy?: Partial<WebhookPolicy>;
}

type Webhook = OpsConfig['notify']['webhooks'][number];

/**
 * POSTs each payload to every webhook subscribed to its event, all at once, each signed and
 * retried with backoff on 5xx, 429, timeouts and network errors. Failures (rate limited per event,
 * subject and webhook, as alerts are) are logged, recorded for the metrics and returned, never
 * thrown: a webhook can neither fail nor repeat the run it tells about.
 */
export async function sendWebhooks(config: OpsConfig, payloads: WebhookPayload[], deps: SendWebhooksDeps = {}): Promise<WebhookDelivery[]> {
  const { now = () => new Date(), log = (line: string) => console.warn(line) } = deps;
  const policy = { ...WEBHOOK_POLICY, ...deps.policy };
  const store = new AlertStateStore(join(config.stateDir, ALERT_STATE_FILE), log);
  const jobs = payloads.flatMap((payload) =>
    config.notify.webhooks.flatMap((webhook) => (webhook.events.includes(payload.event) ? [{ webhook, payload }] : [])),
  );
  // The limits first, one after the other: each record rewrites the state file, and two at once could drop each other's key.
  const sending: boolean[] = [];
  for (const job of jobs) sending.push(await allowed(job.webhook, job.payload));
  return Promise.all(jobs.map((job, i) => (sending[i] ? deliver(job.webhook, job.payload) : { event: job.payload.event, webhook: new URL(job.webhook.url).origin, status: 'suppressed' as const, attempts: 0 })));

  async function allowed(webhook: Webhook, payload: WebhookPayload): Promise<boolean> {
    if (!RATE_LIMITED_EVENTS.has(payload.event)) return true;
    const key = webhookRateLimitKey(webhook.url, payload);
    try {
      const decision = decideRateLimit(key, await store.read(), now(), config.notify.rateLimitMinutes * 60_000);
      await store.set(key, decision.nextState[key]!);
      return decision.send;
    } catch (err) {
      // A state file that cannot be written must not silence the event.
      log(`webhook rate limit state not saved: ${describeError(err)}`);
      return true;
    }
  }

  async function deliver(webhook: Webhook, payload: WebhookPayload): Promise<WebhookDelivery> {
    const origin = new URL(webhook.url).origin;
    const base = { event: payload.event, webhook: origin };
    try {
      const attempts = await post(webhook, payload, policy);
      return { ...base, status: 'delivered', attempts };
    } catch (err) {
      const { attempts, cause } = err instanceof DeliveryFailed ? err : { attempts: 0, cause: err };
      const error = redact(describeError(cause), configSecrets(config));
      log(`webhook ${payload.event} to ${origin} not delivered after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: ${error}`);
      await appendLine(join(config.stateDir, WEBHOOK_FAILURES_FILE), formatWebhookFailureLine({ at: now().toISOString(), event: payload.event, webhook: origin, error })).catch((e: unknown) =>
        log(`webhook failure not recorded: ${describeError(e)}`),
      );
      return { ...base, status: 'failed', attempts, error };
    }
  }
}

class DeliveryFailed extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(describeError(cause));
  }
}

/** One delivery: the same id and body on every attempt (a receiver can drop repeats), a fresh timestamp and signature each time. */
async function post(webhook: Webhook, payload: WebhookPayload, policy: WebhookPolicy): Promise<number> {
  const delivery = payload.id ?? randomUUID();
  const body = JSON.stringify({ id: delivery, ...payload });
  for (let attempt = 1; ; attempt++) {
    let retryable = true;
    try {
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(webhook.url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(policy.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ops-webhook',
          'x-ops-event': payload.event,
          'x-ops-delivery': delivery,
          'x-ops-timestamp': String(timestamp),
          'x-ops-signature': webhookSignature(webhook.secret.reveal(), timestamp, body),
        },
      });
      if (response.ok) return attempt;
      const text = (await response.text().catch(() => '')).trim().slice(0, 200);
      // Another 4xx (a bad secret, a removed endpoint) will answer the same on a retry.
      retryable = response.status >= 500 || response.status === 429;
      throw new Error(`HTTP ${response.status}${text ? ` (${text})` : ''}`);
    } catch (err) {
      if (!retryable || attempt >= policy.attempts) throw new DeliveryFailed(attempt, fetchFailure(err));
      await sleep(policy.backoffMs * 2 ** (attempt - 1));
    }
  }
}

/** fetch says only "fetch failed"; what happened (ECONNREFUSED, a reset) is in its cause. */
function fetchFailure(err: unknown): unknown {
  if (err instanceof TypeError && err.cause instanceof Error) return new Error(`${err.message}: ${err.cause.message}`);
  return err;
}
