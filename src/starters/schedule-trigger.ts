import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduleDescription, ScheduleHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { withDeclaredSchedule } from './declared-schedule.js';
import { LockHeld } from './exit-codes.js';
import { printStarted } from './started-run.js';

const OUTCOME_TIMEOUT_MS = 15_000;

export function registerScheduleTrigger(schedules: Command, program: Command): void {
  schedules
    .command('trigger')
    .description('start the schedule\'s workflow now; its overlap policy applies (SKIP: not while a run is going, exit 3)')
    .argument('<id>', 'a schedule id from the config')
    .action(async (id: string) => {
      await withDeclaredSchedule(program, id, async ({ handle, description, temporal }) => {
        // The schedule's own policy, not the SDK's ALLOW_ALL default: two backup chains must not overlap.
        const overlap = description.policies.overlap;
        await handle.trigger(overlap);
        const outcome = await waitForOutcome(handle, description.info);
        if (outcome.kind === 'skipped') {
          const running = outcome.description.info.runningActions.map((a) => a.workflow.workflowId).join(', ') || 'the previous run';
          throw new LockHeld(`${id}: not started, ${running} is still running (overlap ${overlap})`);
        }
        if (outcome.kind === 'pending') {
          console.log(`triggered ${id}; Temporal has not started the run yet (ops schedules list shows it once it has)`);
          return;
        }
        const { workflowId, firstExecutionRunId } = outcome.description.info.recentActions.at(-1)!.action.workflow;
        printStarted(temporal.settings, workflowId, firstExecutionRunId);
      });
    });
}

type Outcome = { kind: 'started' | 'skipped'; description: ScheduleDescription } | { kind: 'pending' };

/** A trigger is asynchronous: the schedule takes (or skips) the action a moment later. */
async function waitForOutcome(handle: ScheduleHandle, before: ScheduleDescription['info']): Promise<Outcome> {
  const deadline = Date.now() + OUTCOME_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const description = await handle.describe();
    if (description.info.numActionsTaken > before.numActionsTaken) return { kind: 'started', description };
    if (description.info.numActionsSkippedOverlap > before.numActionsSkippedOverlap) return { kind: 'skipped', description };
    await sleep(250);
  }
  return { kind: 'pending' };
}
