import { describe, expect, it } from 'vitest';
import { desiredSchedules } from '../../src/core/schedule-plan.js';
import { existingFrom, ownerOf, scheduleCreateOptions, scheduleUpdateOptions } from '../../src/schedules/schedule-options.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';

const [nightly] = desiredSchedules(
  { 'nightly-backup': { workflow: 'nightlyBackup', cron: '0 2 * * *', catchupWindowHours: 6, overlap: 'SKIP' } },
  { timeZone: 'Europe/Prague', taskQueue: 'ops' },
);
const [deploy] = desiredSchedules(
  { 'weekly-deploy': { workflow: 'deployPipeline', cron: '0 9 * * MON', args: { app: 'crm', ref: 'main' }, paused: true, note: 'held', catchupWindowHours: 0.5, overlap: 'BUFFER_ONE' } },
  { timeZone: 'UTC', taskQueue: 'ops-staging' },
);

describe('scheduleCreateOptions', () => {
  it('the nightly default: cron in the zone, SKIP, a 6 h catch-up window, ids prefixed with the schedule id, the owner marker', () => {
    expect(scheduleCreateOptions(nightly!)).toStrictEqual({
      scheduleId: 'nightly-backup',
      spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Prague' },
      action: {
        type: 'startWorkflow',
        workflowType: 'nightlyBackup',
        taskQueue: 'ops',
        workflowId: 'nightly-backup',
        args: [{}],
        memo: { opsSchedule: 'nightly-backup', specHash: nightly!.specHash },
      },
      policies: { overlap: 'SKIP', catchupWindow: 21_600_000 },
      memo: { managedBy: 'ops', taskQueue: 'ops' },
      state: { paused: false },
    });
  });

  it('args, paused, note, overlap and a fractional catch-up window pass through', () => {
    const options = scheduleCreateOptions(deploy!);
    expect([options.action.args, options.state, options.policies, options.memo]).toStrictEqual([
      [{ app: 'crm', ref: 'main' }],
      { paused: true, note: 'held' },
      { overlap: 'BUFFER_ONE', catchupWindow: 1_800_000 },
      { managedBy: 'ops', taskQueue: 'ops-staging' },
    ]);
  });

  it('schedulable workflow names are the registered workflow function names', () => {
    expect([nightlyBackup.name, deployPipeline.name]).toStrictEqual(['nightlyBackup', 'deployPipeline']);
  });
});

describe('scheduleUpdateOptions', () => {
  it.each<[string, typeof nightly, { paused: boolean; note?: string }, { paused: boolean; note?: string }]>([
    ['an undeclared paused state and note stay as they are (a CLI pause outlives a cron change)', nightly, { paused: true, note: 'disk swap' }, { paused: true, note: 'disk swap' }],
    ['an undeclared paused state stays unpaused', nightly, { paused: false }, { paused: false }],
    ['a declared paused state and note win', deploy, { paused: false, note: 'old' }, { paused: true, note: 'held' }],
  ])('%s', (_name, schedule, previous, state) => {
    const options = scheduleUpdateOptions(schedule!, { state: previous });
    expect(options.state).toStrictEqual(state);
    expect(options).not.toHaveProperty('memo');
    expect(options.action.memo).toStrictEqual({ opsSchedule: schedule!.id, specHash: schedule!.specHash });
  });
});

describe('ownerOf and existingFrom', () => {
  const action = { type: 'startWorkflow' as const, workflowType: 'nightlyBackup', workflowId: 'n', taskQueue: 'ops', memo: { opsSchedule: 'n', specHash: 'abc' } };
  it.each<[string, Record<string, unknown> | undefined, Record<string, unknown> | undefined, object]>([
    ['ops\' marker and hash', { managedBy: 'ops', taskQueue: 'ops' }, action.memo, { id: 'n', managedFor: 'ops', specHash: 'abc' }],
    ['no memo: not ours, hash ignored', undefined, action.memo, { id: 'n' }],
    ['another tool\'s memo', { managedBy: 'terraform' }, action.memo, { id: 'n' }],
    ['a marker without a task queue is not a marker', { managedBy: 'ops' }, undefined, { id: 'n' }],
    ['ours without a hash', { managedBy: 'ops', taskQueue: 'q' }, undefined, { id: 'n', managedFor: 'q' }],
  ])('%s', (_name, memo, actionMemo, expected) => {
    expect(existingFrom({ scheduleId: 'n', memo, action: { ...action, memo: actionMemo } })).toStrictEqual(expected);
    expect(ownerOf({ memo })).toBe((expected as { managedFor?: string }).managedFor);
  });
});
