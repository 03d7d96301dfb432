import { describe, expect, it } from 'vitest';
import type { ScheduleDeclaration } from '../../src/config/schedule-schema.js';
import {
  describePlan,
  desiredSchedules,
  planSchedules,
  specHash,
  summarizePlan,
  type DesiredSchedule,
  type ExistingSchedule,
  type SchedulePlan,
} from '../../src/core/schedule-plan.js';

const QUEUE = 'ops';
const CONTEXT = { timeZone: 'Europe/Prague', taskQueue: QUEUE };
const nightly: ScheduleDeclaration = { workflow: 'nightlyBackup', cron: '0 2 * * *', catchupWindowHours: 6, overlap: 'SKIP' };
const drill: ScheduleDeclaration = { workflow: 'restoreDrill', cron: '0 4 1 * *', catchupWindowHours: 6, overlap: 'SKIP' };

// In id order: drill, nightly.
const [DRILL, NIGHTLY] = desiredSchedules({ nightly, drill }, CONTEXT) as [DesiredSchedule, DesiredSchedule];
const ours = (s: DesiredSchedule, hash = s.specHash): ExistingSchedule => ({ id: s.id, managedFor: QUEUE, specHash: hash });
const empty: SchedulePlan = { create: [], update: [], delete: [], unchanged: [], conflicts: [] };

describe('desiredSchedules', () => {
  it('adds the id, time zone, task queue, run summary and hash, in id order', () => {
    expect(desiredSchedules({ nightly, drill }, CONTEXT)).toStrictEqual([
      { id: 'drill', ...drill, timeZone: 'Europe/Prague', taskQueue: QUEUE, summary: 'drill any target (random) (schedule drill)', specHash: DRILL.specHash },
      { id: 'nightly', ...nightly, timeZone: 'Europe/Prague', taskQueue: QUEUE, summary: 'backup all targets (schedule nightly)', specHash: NIGHTLY.specHash },
    ]);
    expect(NIGHTLY.specHash).toMatch(/^[0-9a-f]{16}$/);
    expect(NIGHTLY.specHash).not.toBe(DRILL.specHash);
  });

  it('the hash ignores key order, at every depth', () => {
    const a = desiredSchedules({ n: { ...nightly, args: { targets: ['a'], runUrl: 'x' } } }, CONTEXT)[0]!;
    const b = desiredSchedules({ n: { overlap: 'SKIP', args: { runUrl: 'x', targets: ['a'] }, catchupWindowHours: 6, cron: '0 2 * * *', workflow: 'nightlyBackup' } }, CONTEXT)[0]!;
    expect(a.specHash).toBe(b.specHash);
    expect(specHash({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(specHash({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });

  it.each<[string, Partial<ScheduleDeclaration>, Partial<typeof CONTEXT>]>([
    ['cron', { cron: '0 3 * * *' }, {}],
    ['workflow', { workflow: 'deployPipeline' }, {}],
    ['args', { args: { targets: ['crm-db'] } }, {}],
    ['paused', { paused: true }, {}],
    ['paused: false (declared) differs from unset', { paused: false }, {}],
    ['catch-up window', { catchupWindowHours: 12 }, {}],
    ['overlap', { overlap: 'BUFFER_ONE' }, {}],
    ['note', { note: 'maintenance' }, {}],
    ['time zone', {}, { timeZone: 'UTC' }],
    ['task queue', {}, { taskQueue: 'ops-staging' }],
  ])('the hash changes with the %s', (_what, change, context) => {
    const changed = desiredSchedules({ nightly: { ...nightly, ...change } }, { ...CONTEXT, ...context })[0]!;
    expect(changed.specHash).not.toBe(NIGHTLY.specHash);
  });
});

describe('planSchedules', () => {
  it.each<[string, DesiredSchedule[], ExistingSchedule[], SchedulePlan]>([
    ['nothing declared, nothing there', [], [], empty],
    ['a fresh namespace: create both', [DRILL, NIGHTLY], [], { ...empty, create: [DRILL, NIGHTLY] }],
    ['applied before: unchanged', [DRILL, NIGHTLY], [ours(DRILL), ours(NIGHTLY)], { ...empty, unchanged: ['drill', 'nightly'] }],
    ['a changed declaration: update', [DRILL, NIGHTLY], [ours(DRILL), ours(NIGHTLY, 'stale')], { ...empty, update: [NIGHTLY], unchanged: ['drill'] }],
    ['ours without a hash: update', [NIGHTLY], [{ id: 'nightly', managedFor: QUEUE }], { ...empty, update: [NIGHTLY] }],
    ['no longer declared: delete', [NIGHTLY], [ours(DRILL), ours(NIGHTLY)], { ...empty, delete: ['drill'], unchanged: ['nightly'] }],
    ['nothing declared: delete all of ours, in id order', [], [ours(NIGHTLY), ours(DRILL)], { ...empty, delete: ['drill', 'nightly'] }],
    ['a schedule without the marker is never deleted', [NIGHTLY], [ours(NIGHTLY), { id: 'hand-made' }], { ...empty, unchanged: ['nightly'] }],
    [
      'another installation\'s schedule (other task queue) is never deleted',
      [NIGHTLY],
      [ours(NIGHTLY), { id: 'staging-nightly', managedFor: 'ops-staging', specHash: 'x' }],
      { ...empty, unchanged: ['nightly'] },
    ],
    [
      'a declared id held by a schedule ops did not create: conflict, not update',
      [DRILL, NIGHTLY],
      [ours(DRILL), { id: 'nightly' }],
      { ...empty, unchanged: ['drill'], conflicts: [{ id: 'nightly', reason: 'a schedule with this id exists and was not created by ops' }] },
    ],
    [
      'a declared id held by another installation: conflict',
      [NIGHTLY],
      [{ id: 'nightly', managedFor: 'ops-staging', specHash: NIGHTLY.specHash }],
      { ...empty, conflicts: [{ id: 'nightly', reason: 'a schedule with this id was created by ops for task queue "ops-staging"' }] },
    ],
    [
      'all at once',
      [DRILL, NIGHTLY],
      [ours(NIGHTLY, 'old'), { id: 'old', managedFor: QUEUE, specHash: 'h' }, { id: 'foreign' }],
      { ...empty, create: [DRILL], update: [NIGHTLY], delete: ['old'] },
    ],
  ])('%s', (_name, desired, existing, expected) => {
    expect(planSchedules(desired, existing, QUEUE)).toStrictEqual(expected);
  });
});

describe('describePlan and summarizePlan', () => {
  it.each<[string, SchedulePlan, string[], string]>([
    [
      'first apply',
      { ...empty, create: [DRILL, NIGHTLY] },
      ['created    drill: restoreDrill at "0 4 1 * *" Europe/Prague', 'created    nightly: nightlyBackup at "0 2 * * *" Europe/Prague'],
      'created drill, nightly',
    ],
    ['again', { ...empty, unchanged: ['drill', 'nightly'] }, ['unchanged  drill', 'unchanged  nightly'], 'unchanged drill, nightly'],
    [
      'a mix',
      { ...empty, update: [NIGHTLY], delete: ['old'], unchanged: ['drill'] },
      ['updated    nightly: nightlyBackup at "0 2 * * *" Europe/Prague', 'deleted    old', 'unchanged  drill'],
      'updated nightly; deleted old; unchanged drill',
    ],
    ['nothing', empty, ['no schedules declared, none to delete'], 'none declared'],
  ])('%s', (_name, plan, lines, summary) => {
    expect(describePlan(plan)).toStrictEqual(lines);
    expect(summarizePlan(plan)).toBe(summary);
  });
});
