import { describe, expect, it } from 'vitest';
import type { DeployReport, StageReport } from '../../src/core/deploy-report.js';
import { backupFailedPayloads, deployFinishedPayload, drillFailedPayload, restoreDonePayload, webhookSignature } from '../../src/core/webhook-events.js';
import { countWebhookFailures } from '../../src/core/webhook-failures.js';

const stage = (name: string, outcome: StageReport['outcome'], error?: string): StageReport => ({ stage: name, outcome, steps: [], ...(error ? { error } : {}) });
const deploy = (outcome: DeployReport['outcome'], stages: StageReport[], extra: Partial<DeployReport> = {}): DeployReport => ({
  app: 'shop', ref: 'main', sha: 'a'.repeat(40), startedBy: 'ci', workflowId: 'deploy-shop', runId: 'r1', runUrl: 'http://ui/namespaces/default/workflows/deploy-shop/r1/history',
  startedAt: '2026-12-07T03:00:00.000Z', finishedAt: '2026-12-07T03:05:00.000Z', outcome, stages, ...extra,
});
const common = { time: '2026-12-07T03:05:00.000Z', app: 'shop', sha: 'a'.repeat(40), ref: 'main', report: '/r/deploy-shop.md', workflowId: 'deploy-shop', runId: 'r1', runUrl: 'http://ui/namespaces/default/workflows/deploy-shop/r1/history' };

describe('deployFinishedPayload', () => {
  it.each<[string, DeployReport, Record<string, unknown>]>([
    ['succeeded on both stages: the last stage', deploy('succeeded', [stage('staging', 'succeeded'), stage('prod', 'succeeded')]), { event: 'deploy.succeeded', outcome: 'succeeded', stage: 'prod' }],
    ['rolled back on prod', deploy('rolled-back', [stage('staging', 'succeeded'), stage('prod', 'rolled-back', 'smoke tests failed (exit 1)')]), { event: 'deploy.rolled_back', outcome: 'rolled-back', stage: 'prod', cause: 'smoke tests failed (exit 1)' }],
    ['rollback failed: a human is needed', deploy('rollback-failed', [stage('staging', 'rollback-failed', 'health failed; rollback failed: x')]), { event: 'deploy.needs_human', outcome: 'rollback-failed', stage: 'staging', cause: 'health failed; rollback failed: x' }],
    ['failed at build, prod skipped', deploy('failed', [stage('staging', 'failed', 'build failed'), stage('prod', 'skipped')]), { event: 'deploy.failed', outcome: 'failed', stage: 'staging', cause: 'build failed' }],
    ['rejected at the approval', deploy('rejected', [stage('staging', 'succeeded'), stage('prod', 'rejected')]), { event: 'deploy.failed', outcome: 'rejected', stage: 'prod' }],
    ['cancelled, rolled back', deploy('rolled-back', [stage('staging', 'rolled-back', 'cancelled during smoke')], { cancelled: true }), { event: 'deploy.failed', outcome: 'cancelled', stage: 'staging', cause: 'cancelled during smoke' }],
  ])('%s', (_name, report, expected) => {
    expect(deployFinishedPayload(report, '/r/deploy-shop.md')).toEqual({ ...common, ...expected });
  });

  it('failed before any stage (the ref did not resolve): no stage, no sha, the run error as the cause', () => {
    const report = deploy('failed', [stage('staging', 'skipped')], { sha: undefined, error: 'resolve failed: no such ref' });
    delete report.sha;
    const { sha: _sha, ...rest } = common;
    expect(deployFinishedPayload(report, '/r/deploy-shop.md')).toEqual({ ...rest, event: 'deploy.failed', outcome: 'failed', cause: 'resolve failed: no such ref' });
  });
});

describe('backup, drill and restore payloads', () => {
  it('one backup.failed per failed target; passed and skipped targets none', () => {
    const targets = [{ target: 'crm-db', error: 'crm-db: password authentication failed', failedStep: 'dump' }, { target: 'wiki-db' }, { target: 'files', error: 'x', skipped: 'already running (backup-files)' }, { target: 'erp-db', error: 'erp-db: s3 down', failedStep: 'offsite' }];
    expect(backupFailedPayloads(targets, '/r/backup-latest.md', '2026-12-07T02:00:00.000Z')).toEqual([
      { event: 'backup.failed', time: '2026-12-07T02:00:00.000Z', outcome: 'dump failed', target: 'crm-db', report: '/r/backup-latest.md', cause: 'crm-db: password authentication failed' },
      { event: 'backup.failed', time: '2026-12-07T02:00:00.000Z', outcome: 'offsite failed', target: 'erp-db', report: '/r/backup-latest.md', cause: 'erp-db: s3 down' },
    ]);
  });

  it('drill.failed only for a failed drill', () => {
    const drill = { id: 'd1', target: 'crm-db', backupId: 'crm-db-1', startedAt: 't0', finishedAt: 't1', reasons: ['row count 0 < 1', 'checksum'] };
    expect(drillFailedPayload({ ...drill, status: 'failed' }, '/r/drill.md')).toEqual({ event: 'drill.failed', time: 't1', outcome: 'failed', target: 'crm-db', report: '/r/drill.md', cause: 'row count 0 < 1; checksum' });
    expect(drillFailedPayload({ ...drill, status: 'passed', reasons: [] }, '/r/drill.md')).toBeUndefined();
  });

  it.each([
    ['passed', [], {}],
    ['refused', ['replace of crm rejected'], { cause: 'replace of crm rejected' }],
  ] as const)('restore.done %s', (status, reasons, extra) => {
    const record = { workflowId: 'w', target: 'crm-db', pick: '--latest', status, startedAt: 't0', finishedAt: 't1', kept: status === 'passed', checks: [], reasons: [...reasons] };
    expect(restoreDonePayload(record, '/r/restore.md')).toEqual({ event: 'restore.done', time: 't1', outcome: status, target: 'crm-db', report: '/r/restore.md', ...extra });
  });
});

describe('webhookSignature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, as `openssl dgst -sha256 -hmac` computes it', () => {
    expect(webhookSignature('s3cret', 1700000000, '{"event":"deploy.started"}')).toBe('sha256=d9b16ea4056dbe349bd3e7c7f8f5a878c2ab4bf94ef8c9da4467988707f4ea7e');
  });
});

describe('countWebhookFailures', () => {
  it('counts per event and receiver, sorted', () => {
    const f = (event: string, webhook: string) => ({ at: 't', event, webhook, error: 'HTTP 500' });
    expect(countWebhookFailures([f('deploy.succeeded', 'http://b'), f('backup.failed', 'http://a'), f('deploy.succeeded', 'http://b')])).toEqual([
      { event: 'backup.failed', webhook: 'http://a', count: 1 },
      { event: 'deploy.succeeded', webhook: 'http://b', count: 2 },
    ]);
  });
});
