import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { roleTaskQueue, type ActivityRole } from '../src/temporal/names.js';

const NORMAL_QUEUE = 1;
const WORKFLOW_TASKS = 1;
const ACTIVITY_TASKS = 2;

export /** startDevServer does not say which process it started; find it among ours by its argv. */
function childRunning(argvPart: string): number {
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    for (const pid of readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(argvPart)) return Number(pid);
    }
  }
  throw new Error(`no child process of the bench runs with "${argvPart}"`);
}

/**
 * The worker logs "polling" before the server has seen its pollers; a run timed before that would
 * include the wait. Ready: the workflow queue and each role's step queue have pollers.
 */
export async function waitForPollers(client: Client, namespace: string, taskQueue: string, timeoutMs = 30_000, roles: ActivityRole[] = ['backup', 'deploy']): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const queues: Array<[string, number]> = [[taskQueue, WORKFLOW_TASKS], ...roles.map((role): [string, number] => [roleTaskQueue(taskQueue, role), ACTIVITY_TASKS])];
  for (;;) {
    const pollers = await Promise.all(
      queues.map(async ([name, taskQueueType]) => {
        const queue = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name, kind: NORMAL_QUEUE }, taskQueueType });
        return queue.pollers?.length ?? 0;
      }),
    );
    if (pollers.every((n) => n > 0)) return;
    if (Date.now() > deadline) throw new Error(`no worker polls task queue ${taskQueue} after ${timeoutMs / 1000}s`);
    await sleep(100);
  }
}
