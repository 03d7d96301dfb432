import type { ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { formatLocalTime } from '../core/format.js';
import { wrappedWorkflow, type SchedulePlan } from '../core/schedule-plan.js';
import { surveySchedules } from '../schedules/apply-schedules.js';
import { connectTemporal, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { printTable } from './print-table.js';

/** How a schedule in the config or in Temporal stands against the config. */
type ScheduleStatus = 'applied' | 'changed' | 'missing' | 'undeclared' | 'foreign';

interface ListedSchedule {
  id: string;
  workflow: string;
  /** As declared; an undeclared schedule has none here. */
  cron?: string;
  timeZone?: string;
  paused?: boolean;
  note?: string;
  nextRun?: string;
  lastRun?: string;
  lastWorkflowId?: string;
  status: ScheduleStatus;
}

export function registerSchedulesList(schedules: Command, program: Command): void {
  schedules
    .command('list')
    .description('declared schedules and the ones ops created: workflow, cron, time zone, paused, next and last run')
    .option('--json', 'machine-readable output (times in ISO 8601)')
    .action(async (options: { json?: boolean }) => {
      const config = loadCliConfig(program.opts<GlobalOptions>());
      const temporal = await connectTemporal(config);
      try {
        const survey = await surveySchedules(temporal.client.schedule, config, temporal.taskQueue);
        const status = statusById(survey.plan);
        const found = new Map(survey.found.map((d) => [d.scheduleId, d]));
        const listed: ListedSchedule[] = [
          ...survey.desired.map((s) => ({ id: s.id, workflow: s.workflow, cron: s.cron, timeZone: s.timeZone, ...observed(found.get(s.id)), status: status.get(s.id)! })),
          ...survey.plan.delete.map((id) => ({ id, workflow: wrappedWorkflow(found.get(id)!.action.workflowType), ...observed(found.get(id)), status: 'undeclared' as const })),
        ];
        if (options.json) {
          console.log(JSON.stringify(listed, null, 2));
          return;
        }
        if (listed.length === 0) {
          console.log('no schedules declared, and none created by ops');
          return;
        }
        const at = (iso: string | undefined, zone: string | undefined) => (iso ? formatLocalTime(iso, zone ?? config.timeZone) : '-');
        printTable(
          ['ID', 'WORKFLOW', 'CRON', 'TZ', 'PAUSED', 'NEXT RUN', 'LAST RUN', 'STATUS'],
          listed.map((s) => [
            s.id,
            s.workflow,
            s.cron ?? '-',
            s.timeZone ?? '-',
            s.paused === undefined ? '-' : s.paused ? `yes${s.note ? ` (${s.note})` : ''}` : 'no',
            at(s.nextRun, s.timeZone),
            at(s.lastRun, s.timeZone),
            s.status,
          ]),
        );
        if (listed.some((s) => s.status !== 'applied' && s.status !== 'foreign')) console.log('ops schedules apply brings changed, missing and undeclared ones in line');
      } finally {
        await temporal.close();
      }
    });
}

function statusById(plan: SchedulePlan): Map<string, ScheduleStatus> {
  return new Map<string, ScheduleStatus>([
    ...plan.create.map((s) => [s.id, 'missing'] as const),
    ...plan.update.map((s) => [s.id, 'changed'] as const),
    ...plan.unchanged.map((id) => [id, 'applied'] as const),
    ...plan.delete.map((id) => [id, 'undeclared'] as const),
    ...plan.conflicts.map((c) => [c.id, 'foreign'] as const),
  ]);
}

/** What Temporal says about the schedule now, when it exists. */
function observed(description: ScheduleDescription | undefined): Partial<ListedSchedule> {
  if (!description) return {};
  const last = description.info.recentActions.at(-1);
  const next = description.info.nextActionTimes[0];
  return {
    ...(description.spec.timezone ? { timeZone: description.spec.timezone } : {}),
    paused: description.state.paused,
    ...(description.state.note ? { note: description.state.note } : {}),
    ...(next ? { nextRun: next.toISOString() } : {}),
    ...(last ? { lastRun: last.takenAt.toISOString(), lastWorkflowId: last.action.workflow.workflowId } : {}),
  };
}
