import { IncomingWebhook } from '@slack/webhook';
import type { OpsConfig } from '../../config/load-config.js';
import { redact } from '../../config/secret.js';
import { TransientFailure } from '../../core/errors.js';

/**
 * Posts to the configured Slack incoming webhook. Without a webhook, notifications are off and
 * this returns { sent: false }. A failure is retryable; the workflow never fails a run over it.
 */
export async function postToSlack(config: OpsConfig, input: { text: string }): Promise<{ sent: boolean }> {
  const slack = config.notify.slack;
  if (!slack) return { sent: false };
  try {
    await new IncomingWebhook(slack.webhookUrl.reveal(), { timeout: 10_000 }).send({ text: input.text });
    return { sent: true };
  } catch (err) {
    // The webhook URL is itself the secret; errors from the client may quote it.
    throw new TransientFailure(`Slack webhook failed: ${redact(err instanceof Error ? err.message : String(err), [slack.webhookUrl])}`);
  }
}
