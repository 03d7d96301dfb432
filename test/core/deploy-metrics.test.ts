import { describe, expect, it } from 'vitest';
import { deployMetrics, deployRecordFromReport, formatDeployRecordLine, parseDeployRecords, type DeployMetrics, type DeployRecord } from '../../src/core/deploy-metrics.js';
import type { DeployReport } from '../../src/core/deploy-report.js';

const zero = (app: string) =>
  ['cancelled', 'failed', 'rejected', 'rollback-failed', 'rolled-back', 'succeeded'].map((outcome) => ({ app, outcome, count: 0 }));

function record(app: string, outcome: DeployRecord['outcome'], startedAt: string, finishedAt: string, stages: DeployRecord['stages'] = []): DeployRecord {
  return { app, outcome, startedAt: `2026-11-22T${startedAt}Z`, finishedAt: `2026-11-22T${finishedAt}Z`, stages };
}

describe('deployMetrics', () => {
  it.each<[string, DeployRecord[], string[], DeployMetrics]>([
    ['no apps, no deploys', [], [], { deploys: [], lastDurationSeconds: [], lastStepSeconds: [] }],
    ['a configured app that never deployed has every outcome at 0 and no durations', [], ['crm'], { deploys: zero('crm'), lastDurationSeconds: [], lastStepSeconds: [] }],
    [
      'counts per app and outcome; the newest deploy gives the duration, the newest run of each step its time',
      [
        record('crm', 'succeeded', '10:00:00', '10:05:00', [
          { stage: 'staging', outcome: 'succeeded', steps: [{ step: 'build', seconds: 40 }, { step: 'switch', seconds: 2 }] },
          { stage: 'production', outcome: 'succeeded', steps: [{ step: 'build', seconds: 50 }] },
        ]),
        record('crm', 'failed', '11:00:00', '11:02:00', [
          { stage: 'staging', outcome: 'failed', steps: [{ step: 'build', seconds: 90.5 }] },
          { stage: 'production', outcome: 'skipped', steps: [] },
        ]),
        record('crm', 'succeeded', '09:00:00', '09:10:00'),
      ],
      [],
      {
        deploys: [
          { app: 'crm', outcome: 'cancelled', count: 0 },
          { app: 'crm', outcome: 'failed', count: 1 },
          { app: 'crm', outcome: 'rejected', count: 0 },
          { app: 'crm', outcome: 'rollback-failed', count: 0 },
          { app: 'crm', outcome: 'rolled-back', count: 0 },
          { app: 'crm', outcome: 'succeeded', count: 2 },
        ],
        lastDurationSeconds: [{ app: 'crm', seconds: 120 }],
        lastStepSeconds: [
          { app: 'crm', stage: 'production', step: 'build', seconds: 50 },
          { app: 'crm', stage: 'staging', step: 'build', seconds: 90.5 },
          { app: 'crm', stage: 'staging', step: 'switch', seconds: 2 },
        ],
      },
    ],
    [
      'apps recorded but no longer configured keep their counts; an unknown outcome gets a series of its own',
      [record('web', 'timed-out' as DeployRecord['outcome'], '08:00:00', '08:00:30')],
      ['api'],
      {
        deploys: [
          ...zero('api'),
          { app: 'api', outcome: 'timed-out', count: 0 },
          ...zero('web'),
          { app: 'web', outcome: 'timed-out', count: 1 },
        ],
        lastDurationSeconds: [{ app: 'web', seconds: 30 }],
        lastStepSeconds: [],
      },
    ],
    [
      'same finish time: the later line wins; a record with a broken date still counts but times nothing',
      [
        record('crm', 'succeeded', '10:00:00', '10:05:00', [{ stage: 's', outcome: 'succeeded', steps: [{ step: 'x', seconds: 1 }] }]),
        record('crm', 'failed', '10:04:00', '10:05:00', [{ stage: 's', outcome: 'failed', steps: [{ step: 'x', seconds: 2 }] }]),
        { ...record('crm', 'failed', '00:00:00', '00:00:00', [{ stage: 's', outcome: 'failed', steps: [{ step: 'x', seconds: 3 }] }]), finishedAt: 'garbage' },
      ],
      [],
      {
        deploys: [
          { app: 'crm', outcome: 'cancelled', count: 0 },
          { app: 'crm', outcome: 'failed', count: 2 },
          { app: 'crm', outcome: 'rejected', count: 0 },
          { app: 'crm', outcome: 'rollback-failed', count: 0 },
          { app: 'crm', outcome: 'rolled-back', count: 0 },
          { app: 'crm', outcome: 'succeeded', count: 1 },
        ],
        lastDurationSeconds: [{ app: 'crm', seconds: 60 }],
        lastStepSeconds: [{ app: 'crm', stage: 's', step: 'x', seconds: 2 }],
      },
    ],
  ])('%s', (_name, records, apps, expected) => {
    expect(deployMetrics(records, apps)).toStrictEqual(expected);
  });
});

describe('parseDeployRecords', () => {
  const good = record('crm', 'succeeded', '10:00:00', '10:05:00', [{ stage: 'staging', outcome: 'succeeded', steps: [{ step: 'build', seconds: 4 }] }]);

  it.each<[string, string, DeployRecord[]]>([
    ['an empty file', '', []],
    ['lines written by formatDeployRecordLine', formatDeployRecordLine(good) + formatDeployRecordLine(good), [good, good]],
    ['a torn last line is skipped', `${formatDeployRecordLine(good)}{"app":"crm","outc`, [good]],
    ['lines that are not records are skipped', `# note\n[]\n{"app":"crm"}\n${formatDeployRecordLine(good)}{"app":"x","outcome":"failed","startedAt":"a","finishedAt":"b","stages":[{"stage":"s","steps":[{"step":"x","seconds":null}]}]}\n`, [good]],
  ])('%s', (_name, text, expected) => {
    expect(parseDeployRecords(text)).toStrictEqual(expected);
  });
});

describe('deployRecordFromReport', () => {
  it('keeps app, outcome, times and the duration of each step that started and finished', () => {
    const report: DeployReport = {
      app: 'crm',
      ref: 'main',
      sha: 'a'.repeat(40),
      startedBy: 'ci',
      workflowId: 'deploy-crm-1',
      startedAt: '2026-11-22T10:00:00.000Z',
      finishedAt: '2026-11-22T10:03:00.000Z',
      outcome: 'rolled-back',
      stages: [
        {
          stage: 'production',
          outcome: 'rolled-back',
          steps: [
            { step: 'sync', status: 'done', startedAt: '2026-11-22T10:00:00.000Z', finishedAt: '2026-11-22T10:00:12.500Z' },
            { step: 'health', status: 'failed', startedAt: '2026-11-22T10:01:00.000Z', finishedAt: '2026-11-22T10:02:00.000Z', detail: 'timeout' },
            { step: 'smoke', status: 'skipped' },
            { step: 'prune', status: 'running', startedAt: '2026-11-22T10:02:00.000Z' },
          ],
        },
        { stage: 'later', outcome: 'skipped', steps: [] },
      ],
    };
    expect(deployRecordFromReport(report)).toStrictEqual({
      app: 'crm',
      outcome: 'rolled-back',
      startedAt: '2026-11-22T10:00:00.000Z',
      finishedAt: '2026-11-22T10:03:00.000Z',
      stages: [
        { stage: 'production', outcome: 'rolled-back', steps: [{ step: 'sync', seconds: 12.5 }, { step: 'health', seconds: 60 }] },
        { stage: 'later', outcome: 'skipped', steps: [] },
      ],
    });
  });
});
