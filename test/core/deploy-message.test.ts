import { describe, expect, it } from 'vitest';
import { deployAlert, deployMessage } from '../../src/core/deploy-message.js';
import { renderDeployReport, type DeployReport, type StageReport } from '../../src/core/deploy-report.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const base = { app: 'crm', ref: 'main', startedBy: 'ci', workflowId: 'deploy-crm', startedAt: '2025-06-01T10:00:00Z', finishedAt: '2025-06-01T10:05:00Z' };
const stage = (name: string, outcome: StageReport['outcome'], extra: Partial<StageReport> = {}): StageReport => ({ stage: name, outcome, steps: [], ...extra });

const unknownRef: DeployReport = { ...base, ref: 'nope', outcome: 'failed', stages: [stage('staging', 'skipped')], error: 'resolve failed: ref "nope" does not name a commit' };
const cancelledInHealth: DeployReport = { ...base, sha: SHA, outcome: 'rolled-back', cancelled: true, stages: [stage('staging', 'rolled-back', { error: 'cancelled during health' })] };
const cancelledAtGate: DeployReport = { ...base, sha: SHA, outcome: 'cancelled', cancelled: true, stages: [stage('staging', 'succeeded'), stage('prod', 'cancelled', { error: 'cancelled while waiting for approval' })] };

describe('the deploy report\'s times', () => {
  it.each([
    ['Europe/Prague', '2025-06-01 12:00:00 +02:00 → 2025-06-01 12:05:00 +02:00'],
    ['UTC', '2025-06-01 10:00:00 +00:00 → 2025-06-01 10:05:00 +00:00'],
  ])('are in the configured zone (%s), with the offset', (zone, times) => {
    expect(renderDeployReport(cancelledAtGate, zone).split('\n')).toContain(`- Run: \`deploy-crm\`, ${times} (5m 00s)`);
  });
});

describe('deploy messages for runs that failed before any stage or were cancelled', () => {
  it.each<[string, DeployReport, ReturnType<typeof deployAlert>, string]>([
    [
      'refused before any stage: deploy-failed naming the ref and the step',
      unknownRef,
      { kind: 'deploy-failed', subject: 'crm', cause: 'nope: resolve failed: ref "nope" does not name a commit' },
      ':x: Deploy crm (nope) failed before any stage: resolve failed: ref "nope" does not name a commit (by ci)',
    ],
    [
      'cancelled during the health gate and rolled back: deploy-rolled-back',
      cancelledInHealth,
      { kind: 'deploy-rolled-back', subject: 'crm', cause: '0123456789ab on staging: cancelled during health' },
      ':x: Deploy crm `0123456789ab` (main) cancelled on staging, rolled back and healthy: cancelled during health (by ci)',
    ],
    [
      'cancelled at an approval gate: nothing changed, no alert',
      cancelledAtGate,
      undefined,
      ':x: Deploy crm `0123456789ab` (main) cancelled on prod: cancelled while waiting for approval (by ci)',
    ],
  ])('%s', (_, report, alert, message) => {
    expect(deployAlert(report)).toEqual(alert);
    expect(deployMessage(report)).toBe(message);
  });

  it.each<[string, DeployReport, string[]]>([
    ['refused before any stage', unknownRef, ['# Deploy crm nope: FAILED', '- Ref: `nope` (not resolved)', '- Error: resolve failed: ref "nope" does not name a commit', '## staging: skipped']],
    ['cancelled and rolled back', cancelledInHealth, ['# Deploy crm 0123456789ab: CANCELLED, rolled back and healthy', '- Cancelled: yes', '## staging: CANCELLED, rolled back and healthy', '- Error: cancelled during health']],
    ['cancelled at a gate', cancelledAtGate, ['# Deploy crm 0123456789ab: CANCELLED', '## staging: deployed', '## prod: CANCELLED']],
  ])('the report of a run %s', (_, report, lines) => {
    const rendered = renderDeployReport(report, 'UTC').split('\n');
    for (const line of lines) expect(rendered.some((l) => l.startsWith(line))).toBe(true);
  });
});
