import { describe, expect, it } from 'vitest';
import type { WebhookPayload } from '../../src/core/webhook-events.js';
import { webhookDeliveryId, type WebhookStep } from '../../src/core/webhook-keys.js';

const step: WebhookStep = { workflowId: 'deploy-shop', runId: '0194c3a1-run-1', activityId: '7' };

describe('webhookDeliveryId: derived from the step, so a repeat of the step repeats the id', () => {
  const id = webhookDeliveryId(step, 0, 'deploy.started');

  it('is UUID-shaped and fixed for a step, an index and an event', () => {
    expect(id).toBe('b2ec747a-69c9-ac55-55fc-2b8eb1c7a6c0');
  });

  it.each<[string, WebhookStep, number, WebhookPayload['event']]>([
    ['another run of the workflow', { ...step, runId: '0194c3a1-run-2' }, 0, 'deploy.started'],
    ['another workflow', { ...step, workflowId: 'deploy-wiki' }, 0, 'deploy.started'],
    ['another step of the run', { ...step, activityId: '8' }, 0, 'deploy.started'],
    ['the next event of the same step', step, 1, 'deploy.started'],
    ['another event at the same index', step, 0, 'deploy.succeeded'],
  ])('%s: another id', (_name, other, index, event) => {
    expect(webhookDeliveryId(other, index, event)).not.toBe(id);
  });
});
