import { describe, expect, it } from 'vitest';
import { deployAlert } from '../../src/core/deploy-message.js';
import type { DeployReport, StageReport } from '../../src/core/deploy-report.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const report = (stages: StageReport[], runUrl?: string): DeployReport => ({
  app: 'crm', ref: 'main', sha: SHA, startedBy: 'ci', workflowId: 'deploy-crm', startedAt: '2025-06-01T10:00:00Z', finishedAt: '2025-06-01T10:05:00Z',
  outcome: stages.find((s) => s.outcome !== 'succeeded')?.outcome ?? 'succeeded', stages, ...(runUrl ? { runUrl } : {}),
});
const stage = (name: string, outcome: StageReport['outcome'], extra: Partial<StageReport> = {}): StageReport => ({ stage: name, outcome, steps: [], ...extra });

describe('deployAlert', () => {
  it.each<[string, DeployReport, ReturnType<typeof deployAlert>]>([
    [
      'a failed stage: deploy-failed, naming the stage and its error, with the run',
      report([stage('staging', 'failed', { error: 'docker compose build failed (exit 1)' }), stage('prod', 'skipped')], 'http://ui/run'),
      { kind: 'deploy-failed', subject: 'crm', cause: '0123456789ab on staging: docker compose build failed (exit 1)', runUrl: 'http://ui/run' },
    ],
    [
      'rolled back: deploy-rolled-back',
      report([stage('staging', 'succeeded'), stage('prod', 'rolled-back', { error: 'health check timed out' })]),
      { kind: 'deploy-rolled-back', subject: 'crm', cause: '0123456789ab on prod: health check timed out' },
    ],
    [
      'rollback failed: deploy-failed that says a human is needed',
      report([stage('prod', 'rollback-failed', { error: 'smoke failed; rollback failed: ssh exit 255' })]),
      { kind: 'deploy-failed', subject: 'crm', cause: '0123456789ab on prod (rollback failed: needs a human): smoke failed; rollback failed: ssh exit 255' },
    ],
    ['succeeded: no alert', report([stage('staging', 'succeeded'), stage('prod', 'succeeded')]), undefined],
    ['an approval rejected: no alert (a decision, not a failure)', report([stage('staging', 'succeeded'), stage('prod', 'rejected', { approval: { approved: false, by: 'ana' } })]), undefined],
  ])('%s', (_, input, expected) => {
    expect(deployAlert(input)).toEqual(expected);
  });
});
