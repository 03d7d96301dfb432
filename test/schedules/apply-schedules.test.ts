import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { ScheduleDeclaration } from '../../src/config/schedule-schema.js';
import { ConfigError } from '../../src/core/errors.js';
import { formatLocalTime } from '../../src/core/format.js';
import { desiredSchedules, specHash, type DesiredSchedule } from '../../src/core/schedule-plan.js';
import { applySchedules } from '../../src/schedules/apply-schedules.js';
import { scheduleCreateOptions } from '../../src/schedules/schedule-options.js';
import { makeScheduleWorld, type ScheduleWorld } from '../support/schedule-world.js';
import { waitFor } from '../support/wait-for.js';

const HOUR_MS = 3_600_000;
const FILE = '/etc/ops/ops.config.yaml';

/** Declarations as the config loader makes them, defaults filled in. */
function declared(schedules: Record<string, object>, timeZone = 'Europe/Prague') {
  return parseConfig(stringify({ timeZone, schedules }), FILE, {});
}

describe('applySchedules on the real dev server', () => {
  let world: ScheduleWorld;
  beforeAll(async () => {
    world = await makeScheduleWorld();
  });
  afterAll(async () => {
    await world?.cleanup();
  });

  const describeSchedule = (id: string): Promise<ScheduleDescription> => world.client.schedule.getHandle(id).describe();
  const listed = async (id: string): Promise<boolean> => {
    for await (const summary of world.client.schedule.list()) if (summary.scheduleId === id) return true;
    return false;
  };

  describe('the defaults, applied again and again', () => {
    let queue: string;
    let nightly: string;
    let drill: string;
    let defaults: Record<string, ScheduleDeclaration>;
    beforeAll(() => {
      queue = world.taskQueue('defaults');
      nightly = world.id('nightly-backup');
      drill = world.id('monthly-drill');
      // The config defaults themselves, under this test's ids.
      const fromEmptyConfig = parseConfig('', FILE, {}).schedules;
      defaults = { [nightly]: fromEmptyConfig['nightly-backup']!, [drill]: fromEmptyConfig['monthly-drill']! };
    });
    const config = (schedules: Record<string, ScheduleDeclaration>) => ({ timeZone: 'Europe/Prague', schedules });

    it('creates both with their spec in the configured time zone, overlap SKIP and a 6 h catch-up window', async () => {
      const plan = await applySchedules(world.client.schedule, config(defaults), queue);
      expect(plan.create.map((s) => s.id)).toStrictEqual([drill, nightly]);
      expect([plan.update, plan.delete, plan.unchanged, plan.conflicts]).toStrictEqual([[], [], [], []]);

      const backup = await describeSchedule(nightly);
      expect(backup.spec.timezone).toBe('Europe/Prague');
      expect(backup.spec.calendars).toHaveLength(1);
      expect(backup.spec.calendars![0]).toMatchObject({ minute: [{ start: 0, end: 0, step: 1 }], hour: [{ start: 2, end: 2, step: 1 }] });
      expect(backup.action).toMatchObject({ type: 'startWorkflow', workflowType: 'nightlyBackup', taskQueue: queue, workflowId: nightly, args: [{}] });
      // What the runs it starts show in the Web UI.
      expect(backup.action.staticSummary).toBe(`backup all targets (schedule ${nightly})`);
      expect(backup.policies).toStrictEqual({ overlap: 'SKIP', catchupWindow: 6 * HOUR_MS, pauseOnFailure: false });
      expect(backup.memo).toStrictEqual({ managedBy: 'ops', taskQueue: queue });
      expect(backup.state.paused).toBe(false);
      // Every upcoming run is at 02:00 on the Prague wall clock, whatever the UTC offset that day.
      expect(backup.info.nextActionTimes.length).toBeGreaterThan(0);
      for (const time of backup.info.nextActionTimes) expect(formatLocalTime(time, 'Europe/Prague')).toMatch(/ 02:00:00 \+0[12]:00$/);

      const restore = await describeSchedule(drill);
      expect(restore.action).toMatchObject({ workflowType: 'restoreDrill', taskQueue: queue, workflowId: drill });
      expect(restore.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 6 * HOUR_MS });
      for (const time of restore.info.nextActionTimes) expect(formatLocalTime(time, 'Europe/Prague')).toMatch(/^\d{4}-\d{2}-01 04:00:00 \+0[12]:00$/);
    });

    it('applying the same config again changes nothing', async () => {
      const before = await describeSchedule(nightly);
      const plan = await applySchedules(world.client.schedule, config(defaults), queue);
      expect(plan.unchanged).toStrictEqual([drill, nightly]);
      expect([plan.create, plan.update, plan.delete]).toStrictEqual([[], [], []]);
      expect((await describeSchedule(nightly)).info.lastUpdatedAt).toStrictEqual(before.info.lastUpdatedAt);
    });

    it('a changed cron updates that schedule in place; the next apply finds it unchanged', async () => {
      const created = (await describeSchedule(nightly)).info.createdAt;
      const changed = { ...defaults, [nightly]: { ...defaults[nightly]!, cron: '30 3 * * *' } };
      const plan = await applySchedules(world.client.schedule, config(changed), queue);
      expect(plan.update.map((s) => s.id)).toStrictEqual([nightly]);
      expect(plan.unchanged).toStrictEqual([drill]);

      const after = await describeSchedule(nightly);
      expect(after.info.createdAt).toStrictEqual(created);
      expect(after.spec.calendars![0]).toMatchObject({ minute: [{ start: 30, end: 30, step: 1 }], hour: [{ start: 3, end: 3, step: 1 }] });
      for (const time of after.info.nextActionTimes) expect(formatLocalTime(time, 'Europe/Prague')).toMatch(/ 03:30:00 \+0[12]:00$/);
      expect(after.memo).toStrictEqual({ managedBy: 'ops', taskQueue: queue });

      expect((await applySchedules(world.client.schedule, config(changed), queue)).unchanged).toStrictEqual([drill, nightly]);
      defaults = changed;
    });

    it('a paused schedule stays paused through an update that does not declare `paused`', async () => {
      await world.client.schedule.getHandle(nightly).pause('disk swap');
      const changed = { ...defaults, [nightly]: { ...defaults[nightly]!, catchupWindowHours: 2 } };
      expect((await applySchedules(world.client.schedule, config(changed), queue)).update.map((s) => s.id)).toStrictEqual([nightly]);
      const after = await describeSchedule(nightly);
      expect([after.state.paused, after.state.note, after.policies.catchupWindow]).toStrictEqual([true, 'disk swap', 2 * HOUR_MS]);
      defaults = changed;
    });

    it('a schedule removed from the config is deleted; the other stays', async () => {
      const plan = await applySchedules(world.client.schedule, config({ [nightly]: defaults[nightly]! }), queue);
      expect(plan.delete).toStrictEqual([drill]);
      expect(plan.unchanged).toStrictEqual([nightly]);
      await expect(describeSchedule(drill)).rejects.toBeInstanceOf(ScheduleNotFoundError);
      await expect(describeSchedule(nightly)).resolves.toMatchObject({ scheduleId: nightly });
    });
  });

  describe('a deployPipeline schedule', () => {
    const weekly: ScheduleDeclaration = {
      workflow: 'deployPipeline', cron: '0 9 * * MON', args: { app: 'crm', ref: 'main', startedBy: 'schedule:weekly' }, catchupWindowHours: 6, overlap: 'SKIP',
    };
    const config = (schedules: Record<string, ScheduleDeclaration>) => ({ timeZone: 'UTC', schedules });

    it('starts scheduledDeploy with the declared args; applying again changes nothing', async () => {
      const queue = world.taskQueue('deploy');
      const id = world.id('weekly-deploy');
      expect((await applySchedules(world.client.schedule, config({ [id]: weekly }), queue)).create.map((s) => s.id)).toStrictEqual([id]);
      const created = await describeSchedule(id);
      expect(created.action).toMatchObject({ workflowType: 'scheduledDeploy', taskQueue: queue, workflowId: id, args: [weekly.args] });

      const again = await applySchedules(world.client.schedule, config({ [id]: weekly }), queue);
      expect([again.unchanged, again.create, again.update]).toStrictEqual([[id], [], []]);
      expect((await describeSchedule(id)).info.lastUpdatedAt).toStrictEqual(created.info.lastUpdatedAt);
    });

    it('one applied before the wrapper existed (starting deployPipeline) is updated once, then unchanged', async () => {
      const queue = world.taskQueue('legacy-deploy');
      const id = world.id('legacy-deploy');
      const { wrapper: _wrapper, specHash: _hash, ...declaration } = desiredSchedules({ [id]: weekly }, { timeZone: 'UTC', taskQueue: queue })[0]!;
      const legacy: DesiredSchedule = { ...declaration, specHash: specHash(declaration) };
      await world.client.schedule.create(scheduleCreateOptions(legacy));
      expect((await describeSchedule(id)).action.workflowType).toBe('deployPipeline');

      expect((await applySchedules(world.client.schedule, config({ [id]: weekly }), queue)).update.map((s) => s.id)).toStrictEqual([id]);
      expect((await describeSchedule(id)).action).toMatchObject({ workflowType: 'scheduledDeploy', args: [weekly.args] });
      expect((await applySchedules(world.client.schedule, config({ [id]: weekly }), queue)).unchanged).toStrictEqual([id]);
    });
  });

  describe('schedules ops did not create', () => {
    it('are never deleted, and a declared id that one holds stops the apply before anything changes', async () => {
      const queue = world.taskQueue('foreign');
      const handMade = world.id('hand-made');
      const otherInstallation = world.id('staging-nightly');
      const ours = world.id('ours');
      await world.client.schedule.create({
        scheduleId: handMade,
        spec: { cronExpressions: ['0 5 * * *'] },
        action: { type: 'startWorkflow', workflowType: 'nightlyBackup', taskQueue: queue },
        state: { paused: true },
      });
      await world.client.schedule.create({
        scheduleId: otherInstallation,
        spec: { cronExpressions: ['0 5 * * *'] },
        action: { type: 'startWorkflow', workflowType: 'nightlyBackup', taskQueue: `${queue}-staging` },
        memo: { managedBy: 'ops', taskQueue: `${queue}-staging` },
        state: { paused: true },
      });
      const nothingDeclared = await applySchedules(world.client.schedule, declared({}), queue);
      expect(nothingDeclared).toStrictEqual({ create: [], update: [], delete: [], unchanged: [], conflicts: [] });

      const withOurs = await applySchedules(world.client.schedule, declared({ [ours]: { workflow: 'nightlyBackup', cron: '0 2 * * *' } }), queue);
      expect(withOurs.create.map((s) => s.id)).toStrictEqual([ours]);
      // Listing is eventually consistent: an apply only finds a schedule it no longer declares once the list shows it.
      await waitFor(`${ours} to show in the schedule list`, () => listed(ours), 10_000);
      expect((await applySchedules(world.client.schedule, declared({}), queue)).delete).toStrictEqual([ours]);

      const clash = declared({
        [world.id('new-one')]: { workflow: 'nightlyBackup', cron: '0 2 * * *' },
        [handMade]: { workflow: 'nightlyBackup', cron: '0 2 * * *' },
        [otherInstallation]: { workflow: 'nightlyBackup', cron: '0 2 * * *' },
      });
      const error = await applySchedules(world.client.schedule, clash, queue).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toStrictEqual([
        `schedules.${handMade}: a schedule with this id exists and was not created by ops; rename it here or delete that schedule`,
        `schedules.${otherInstallation}: a schedule with this id was created by ops for task queue "${queue}-staging"; rename it here or delete that schedule`,
      ]);
      await expect(describeSchedule(world.id('new-one'))).rejects.toBeInstanceOf(ScheduleNotFoundError);

      const untouched = await describeSchedule(handMade);
      expect([untouched.memo, untouched.state.paused, untouched.spec.calendars![0]!.hour]).toStrictEqual([undefined, true, [{ start: 5, end: 5, step: 1 }]]);
      expect((await describeSchedule(otherInstallation)).memo).toStrictEqual({ managedBy: 'ops', taskQueue: `${queue}-staging` });
    });
  });
});
