import { describe, expect, it } from 'vitest';
import { SCHEDULABLE_WORKFLOWS, type ScheduleDeclaration } from '../../src/config/schedule-schema.js';
import { desiredSchedules, planSchedules, scheduleWrapper, specHash, wrappedWorkflow } from '../../src/core/schedule-plan.js';
import { existingFrom, ownerOf, scheduleCreateOptions, scheduleUpdateOptions } from '../../src/schedules/schedule-options.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { scheduledDeploy } from '../../src/workflows/scheduled-deploy.js';

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
        staticSummary: 'backup all targets (schedule nightly-backup)',
        args: [{}],
        memo: { opsSchedule: 'nightly-backup', specHash: nightly!.specHash },
      },
      policies: { overlap: 'SKIP', catchupWindow: 21_600_000 },
      memo: { managedBy: 'ops', taskQueue: 'ops' },
      state: { paused: false },
    });
  });

  it('args, paused, note, overlap and a fractional catch-up window pass through; the summary names the deploy', () => {
    const options = scheduleCreateOptions(deploy!);
    expect([options.action.staticSummary, options.action.args, options.state, options.policies, options.memo]).toStrictEqual([
      'deploy crm main (schedule weekly-deploy)',
      [{ app: 'crm', ref: 'main' }],
      { paused: true, note: 'held' },
      { overlap: 'BUFFER_ONE', catchupWindow: 1_800_000 },
      { managedBy: 'ops', taskQueue: 'ops-staging' },
    ]);
  });

  it('schedulable workflow names are the registered workflow function names', () => {
    expect([nightlyBackup.name, deployPipeline.name, scheduledDeploy.name]).toStrictEqual(['nightlyBackup', 'deployPipeline', 'scheduledDeploy']);
  });
});

describe('a deployPipeline schedule starts scheduledDeploy, which takes the app\'s deploy lock', () => {
  const CONTEXT = { timeZone: 'UTC', taskQueue: 'ops' };
  const args: Record<ScheduleDeclaration['workflow'], Record<string, unknown> | undefined> = {
    nightlyBackup: undefined,
    restoreDrill: undefined,
    backupWatchdog: undefined,
    deployPipeline: { app: 'crm', ref: 'main', startedBy: 'schedule:weekly' },
  };

  it.each<[ScheduleDeclaration['workflow'], string | undefined, string]>([
    ['nightlyBackup', undefined, 'nightlyBackup'],
    ['restoreDrill', undefined, 'restoreDrill'],
    ['backupWatchdog', undefined, 'backupWatchdog'],
    ['deployPipeline', 'scheduledDeploy', 'scheduledDeploy'],
  ])('%s: wrapper %s, the action starts %s with the declared args', (workflow, wrapper, workflowType) => {
    expect(scheduleWrapper(workflow)).toBe(wrapper);
    const declaration: ScheduleDeclaration = { workflow, cron: '0 9 * * MON', catchupWindowHours: 6, overlap: 'SKIP', ...(args[workflow] ? { args: args[workflow] } : {}) };
    const [desired] = desiredSchedules({ s: declaration }, CONTEXT);
    expect(desired!.workflow).toBe(workflow);
    expect(desired!.wrapper).toBe(wrapper);
    const { action } = scheduleCreateOptions(desired!);
    expect([action.workflowType, action.args]).toStrictEqual([workflowType, [args[workflow] ?? {}]]);
    expect(wrappedWorkflow(action.workflowType as string)).toBe(workflow);
  });

  it('the table covers every schedulable workflow', () => {
    expect(Object.keys(args)).toStrictEqual([...SCHEDULABLE_WORKFLOWS]);
  });

  // A schedule applied before the wrapper and the run summaries existed carries the hash of the declaration alone.
  const hashBefore = (declaration: ScheduleDeclaration) => specHash({ id: 's', ...declaration, ...CONTEXT });
  it.each<[string, ScheduleDeclaration, 'update' | 'unchanged']>([
    ['a deploy schedule applied before the wrapper is updated once, to start it', { workflow: 'deployPipeline', cron: '0 9 * * MON', args: args.deployPipeline!, catchupWindowHours: 6, overlap: 'SKIP' }, 'update'],
    ['any other schedule applied before run summaries is updated once, to label its runs', { workflow: 'nightlyBackup', cron: '0 2 * * *', catchupWindowHours: 6, overlap: 'SKIP' }, 'update'],
  ])('%s', (_name, declaration, verdict) => {
    const desired = desiredSchedules({ s: declaration }, CONTEXT);
    const before = planSchedules(desired, [{ id: 's', managedFor: 'ops', specHash: hashBefore(declaration) }], 'ops');
    expect(verdict === 'update' ? before.update.map((d) => d.id) : before.unchanged).toStrictEqual(['s']);
    const again = planSchedules(desired, [{ id: 's', managedFor: 'ops', specHash: desired[0]!.specHash }], 'ops');
    expect(again.unchanged).toStrictEqual(['s']);
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
