import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScheduleNotFoundError } from '@temporalio/client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { formatLocalTime } from '../../src/core/format.js';
import type { NightlyBackupResult } from '../../src/workflows/nightly-backup.js';
import { runCli } from '../support/run-cli.js';
import { makeScheduleWorld, type ScheduleWorld } from '../support/schedule-world.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

const DAY_MS = 86_400_000;

describe('ops schedules: the CLI against the real dev server', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'schedules-cli-'));
  let world: ScheduleWorld;
  let worker: TestWorker | undefined;
  let env: Record<string, string>;
  let configFile: string;
  let nightly: string;
  let drill: string;
  const ops = (...args: string[]) => runCli(['--config', configFile, 'schedules', ...args], env);
  const describeNightly = () => world.client.schedule.getHandle(nightly).describe();

  /** A config with no targets: its nightlyBackup run plans nothing, writes its report and completes in a moment. */
  function writeConfig(file: string, schedules: Record<string, object>): string {
    const path = join(dir, file);
    writeFileSync(path, stringify({ stateDir: join(dir, 'state'), repository: join(dir, 'repo'), reports: join(dir, 'reports'), schedules }));
    return path;
  }

  beforeAll(async () => {
    world = await makeScheduleWorld();
    nightly = world.id('nightly-backup');
    drill = world.id('monthly-drill');
    configFile = writeConfig('ops.config.yaml', {
      [nightly]: { workflow: 'nightlyBackup', cron: '0 2 * * *' },
      [drill]: { workflow: 'restoreDrill', cron: '0 4 1 * *' },
    });
    env = { TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: world.taskQueue('cli') };
  });
  afterAll(async () => {
    await worker?.stop();
    await world?.cleanup();
  });

  it('apply creates what the config declares and says so; list shows it', async () => {
    const apply = await ops('apply');
    expect(apply.stderr).toBe('');
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout.trimEnd().split('\n')).toStrictEqual([
      `created    ${drill}: restoreDrill at "0 4 1 * *" Europe/Prague`,
      `created    ${nightly}: nightlyBackup at "0 2 * * *" Europe/Prague`,
    ]);

    const listed = JSON.parse((await ops('list', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(listed.map((s) => [s.id, s.workflow, s.cron, s.timeZone, s.paused, s.status])).toStrictEqual([
      [drill, 'restoreDrill', '0 4 1 * *', 'Europe/Prague', false, 'applied'],
      [nightly, 'nightlyBackup', '0 2 * * *', 'Europe/Prague', false, 'applied'],
    ]);
    expect(formatLocalTime(listed[1]!.nextRun as string, 'Europe/Prague')).toMatch(/ 02:00:00 \+0[12]:00$/);

    const table = await ops('list');
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+WORKFLOW\s+CRON\s+TZ\s+PAUSED\s+NEXT RUN\s+LAST RUN\s+STATUS$/m);
    expect(table.stdout).toMatch(new RegExp(`^${nightly}\\s+nightlyBackup\\s+0 2 \\* \\* \\*\\s+Europe/Prague\\s+no\\s+\\d{4}-\\d{2}-\\d{2} 02:00:00 \\+0[12]:00\\s+-\\s+applied$`, 'm'));

    const again = await ops('apply');
    expect(again.stdout.trimEnd().split('\n')).toStrictEqual([`unchanged  ${drill}`, `unchanged  ${nightly}`]);
  });

  it('pause --note pauses with the note; apply leaves it paused; unpause resumes', async () => {
    const pause = await ops('pause', nightly, '--note', 'disk swap tonight');
    expect([pause.exitCode, pause.stdout.trim()]).toStrictEqual([0, `paused ${nightly}: disk swap tonight`]);
    expect((await describeNightly()).state).toMatchObject({ paused: true, note: 'disk swap tonight' });
    expect((await ops('list')).stdout).toMatch(new RegExp(`^${nightly}\\s+.*\\s+yes \\(disk swap tonight\\)\\s+`, 'm'));

    expect((await ops('apply')).stdout).toContain(`unchanged  ${nightly}`);
    expect((await describeNightly()).state.paused).toBe(true);

    const unpause = await ops('unpause', nightly);
    expect([unpause.exitCode, unpause.stdout.trim()]).toStrictEqual([0, `unpaused ${nightly}`]);
    expect((await describeNightly()).state.paused).toBe(false);
  });

  let triggeredId: string;

  it('trigger starts nightlyBackup on the task queue now; a second trigger while it runs is skipped (exit 3)', async () => {
    // No worker polls yet, so the first run stays running.
    const trigger = await ops('trigger', nightly);
    expect(trigger.stderr).toBe('');
    expect(trigger.exitCode).toBe(0);
    triggeredId = /^started (\S+)$/m.exec(trigger.stdout)![1]!;
    expect(triggeredId).toMatch(new RegExp(`^${nightly}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
    const run = await world.client.workflow.getHandle(triggeredId).describe();
    expect([run.type, run.taskQueue, run.status.name]).toStrictEqual(['nightlyBackup', env.OPS_TASK_QUEUE, 'RUNNING']);
    expect(run.memo).toMatchObject({ opsSchedule: nightly });

    const second = await ops('trigger', nightly);
    expect(second.exitCode).toBe(3);
    expect(second.stderr).toContain(`error: ${nightly}: not started, ${triggeredId} is still running (overlap SKIP)`);
    expect((await describeNightly()).info.numActionsSkippedOverlap).toBe(1);
  });

  it('a worker on the task queue runs the triggered nightlyBackup to the end', async () => {
    worker = await startTestWorker(loadConfig(configFile, {}), { taskQueue: env.OPS_TASK_QUEUE! });
    const result = await world.client.workflow.getHandle<() => Promise<NightlyBackupResult>>(triggeredId).result();
    expect(result.targets).toStrictEqual([]);
    expect(result.report).toBe(join(dir, 'reports', 'backup-report-latest.md'));
  });

  it('backfill takes the runs the schedule would have taken in the period', async () => {
    const from = new Date(Date.now() - 4 * DAY_MS);
    const to = new Date(Date.now() - 1 * DAY_MS);
    const backfill = await ops('backfill', nightly, '--from', from.toISOString(), '--to', to.toISOString());
    expect(backfill.stderr).toBe('');
    expect(backfill.exitCode).toBe(0);
    expect(backfill.stdout).toContain(`backfill requested for ${nightly}: ${formatLocalTime(from, 'Europe/Prague')} to ${formatLocalTime(to, 'Europe/Prague')} (Europe/Prague, overlap SKIP)`);

    // Asynchronous: the schedule takes the first backfilled time at once (the others may be skipped while it runs).
    let backfilled: Date[] = [];
    for (let i = 0; i < 60 && backfilled.length === 0; i++) {
      const info = (await describeNightly()).info;
      backfilled = info.recentActions.map((a) => a.scheduledAt).filter((at) => at >= from && at <= to);
      if (backfilled.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(backfilled.length).toBeGreaterThan(0);
    for (const at of backfilled) expect(formatLocalTime(at, 'Europe/Prague')).toMatch(/ 02:00:00 \+0[12]:00$/);
    const workflowId = `${nightly}-${backfilled[0]!.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
    expect((await world.client.workflow.getHandle(workflowId).describe()).type).toBe('nightlyBackup');
  });

  it.each<[string, string[], string]>([
    ['an unknown id', ['pause', 'nope'], 'unknown schedule "nope" (declared: '],
    ['a --from that is not ISO 8601', ['backfill', 'ID', '--from', 'yesterday', '--to', '2025-06-02T00:00:00Z'], '--from "yesterday" is not an ISO 8601 time'],
    ['a --to before --from', ['backfill', 'ID', '--from', '2025-06-02T00:00:00Z', '--to', '2025-06-01T00:00:00Z'], '--to (2025-06-01T00:00:00Z) must be after --from (2025-06-02T00:00:00Z)'],
  ])('%s is bad usage: exit 2', async (_name, args, message) => {
    const result = await ops(...args.map((arg) => (arg === 'ID' ? nightly : arg)));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    if (args[1] === 'nope') expect(result.stderr).toContain(`(declared: ${drill}, ${nightly})`);
  });

  it('a cron that does not parse: apply exits 2 naming the path, and creates nothing', async () => {
    const other = world.id('other');
    const broken = writeConfig('broken.yaml', {
      'nightly-backup': { workflow: 'nightlyBackup', cron: '0 2 * *' },
      [other]: { workflow: 'nightlyBackup', cron: '0 3 * * *' },
    });
    const result = await runCli(['--config', broken, 'schedules', 'apply'], { ...env, OPS_TASK_QUEUE: world.taskQueue('broken') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('schedules.nightly-backup.cron: expected 5 fields "minute hour day-of-month month day-of-week", got 4 in "0 2 * *"');
    expect(result.stdout).toBe('');
    for (const id of ['nightly-backup', other]) {
      await expect(world.client.schedule.getHandle(id).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    }
  });
});
