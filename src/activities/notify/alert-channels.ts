import { setTimeout as sleep } from 'node:timers/promises';
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import { createTransport } from 'nodemailer';
import type { OpsConfig } from '../../config/load-config.js';
import { describeError } from '../../core/errors.js';

export interface SlackPolicy {
  attempts: number;
  /** Per attempt: a webhook that hangs must not hold the alert (and the activity) for long. */
  timeoutMs: number;
  /** Before the second attempt; doubled before each further one. */
  backoffMs: number;
}

export const SLACK_POLICY: SlackPolicy = { attempts: 3, timeoutMs: 5_000, backoffMs: 500 };

/**
 * Posts the text to the incoming webhook, retrying server errors (5xx), timeouts and network
 * failures. A 4xx (revoked webhook, bad payload, rate limited) will not change on a retry: it fails at once.
 * Throws the last failure; its message may quote the URL, so callers redact it.
 */
export async function postAlertToSlack(webhookUrl: string, text: string, policy: SlackPolicy): Promise<void> {
  const webhook = new IncomingWebhook(webhookUrl, { timeout: policy.timeoutMs });
  for (let attempt = 1; ; attempt++) {
    try {
      await webhook.send({ text });
      return;
    } catch (err) {
      const clientError = err instanceof IncomingWebhookHTTPError && err.statusCode < 500;
      if (clientError || attempt >= policy.attempts) throw new Error(`Slack webhook failed after ${attempt} ${attempt === 1 ? 'attempt' : 'attempts'}: ${slackFailure(err)}`);
      await sleep(policy.backoffMs * 2 ** (attempt - 1));
    }
  }
}

type EmailConfig = NonNullable<OpsConfig['notify']['email']>;

/** Sends the alert over SMTP; STARTTLS is used whenever the server offers it. Throws on failure. */
export async function mailAlert(email: EmailConfig, message: { subject: string; text: string }): Promise<void> {
  const { smtp } = email;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password?.reveal() ?? '' } } : {}),
    // nodemailer's defaults (2 min to connect, 10 min idle) would outlast the activity's own timeout.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    await transport.sendMail({ from: email.from, to: email.to, subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
}

function slackFailure(err: unknown): string {
  if (err instanceof IncomingWebhookHTTPError) {
    const body = typeof err.body === 'string' ? err.body.trim().slice(0, 200) : '';
    return `HTTP ${err.statusCode}${body ? ` (${body})` : ''}`;
  }
  if (err instanceof IncomingWebhookRequestError) {
    // fetch says only "fetch failed"; what happened (ECONNREFUSED, a timeout) is in its cause.
    const cause = err.original.cause;
    return cause instanceof Error ? `${err.original.message}: ${cause.message}` : err.original.message;
  }
  return describeError(err);
}
