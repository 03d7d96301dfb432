import { createHash } from 'node:crypto';
import { webhookSubject, type WebhookPayload } from './webhook-events.js';

/** The workflow step an event was read off: the same on every attempt Temporal makes of it. */
export interface WebhookStep {
  workflowId: string;
  runId: string;
  activityId: string;
}

/**
 * The delivery id (`id`, `X-Ops-Delivery`) of the `index`th event a step announces. A step that did
 * its work may still be run again (its completion lost, its timeout hit): derived from the step,
 * not drawn at random, the repeat carries the same id and a receiver drops it. UUID-shaped, as the
 * random ids of events sent outside a workflow are.
 */
export function webhookDeliveryId(step: WebhookStep, index: number, event: WebhookPayload['event']): string {
  const hex = sha256([step.workflowId, step.runId, step.activityId, String(index), event].join('\n'));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The rate limit's key for an event to a webhook: the endpoint (origin and path, hashed: a path
 * may carry a token, and the key is written to the state file), the event and its subject. The
 * query is left out, so a rotated `?token=` keeps the limit; reordering the config moves none.
 */
export function webhookRateLimitKey(url: string, payload: WebhookPayload): string {
  const { origin, pathname } = new URL(url);
  return `webhook ${sha256(`${origin}${pathname}`).slice(0, 16)} ${payload.event}:${webhookSubject(payload)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
