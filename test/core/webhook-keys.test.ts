import { describe, expect, it } from 'vitest';
import type { WebhookPayload } from '../../src/core/webhook-events.js';
import { webhookDeliveryId, webhookRateLimitKey, type WebhookStep } from '../../src/core/webhook-keys.js';

const step: WebhookStep = { workflowId: 'deploy-shop', runId: '0194c3a1-run-1', activityId: '7' };
const failed: WebhookPayload = { event: 'backup.failed', time: '2026-12-07T02:00:00.000Z', outcome: 'dump failed', target: 'crm-db' };

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

describe('webhookRateLimitKey: the endpoint hashed, never its place in the config list', () => {
  it.each<[string, string, WebhookPayload, string]>([
    ['a failure to an endpoint', 'https://ci.example.com/hooks/ops', failed, 'webhook 4482f123f81443f9 backup.failed:crm-db'],
    ['the same endpoint with a (rotated) query token: the same key', 'https://ci.example.com/hooks/ops?token=s3cr3t', failed, 'webhook 4482f123f81443f9 backup.failed:crm-db'],
    ['another path on the same host', 'https://ci.example.com/hooks/status', failed, 'webhook 24520ee5e7c20543 backup.failed:crm-db'],
    ['another target', 'https://ci.example.com/hooks/ops', { ...failed, target: 'wiki-db' }, 'webhook 4482f123f81443f9 backup.failed:wiki-db'],
    ['a deploy failure: the app is the subject', 'https://ci.example.com/hooks/ops', { event: 'deploy.failed', time: 't', outcome: 'failed', app: 'shop' }, 'webhook 4482f123f81443f9 deploy.failed:shop'],
  ])('%s', (_name, url, payload, key) => {
    expect(webhookRateLimitKey(url, payload)).toBe(key);
  });

  it('keeps a token in the path out of the key (it is written to the state file)', () => {
    expect(webhookRateLimitKey('https://hooks.example.com/T000/B000/XXXXSECRET', failed)).not.toContain('XXXXSECRET');
  });
});
