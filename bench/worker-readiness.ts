import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';

const NORMAL_QUEUE = 1;
/** Workflow and activity task queues: a worker is ready when the server sees it polling both. */
const QUEUE_TYPES = [1, 2];

export /** startDevServer does not say which process it started; find it among ours by its argv. */
function childRunning(argvPart: string): number {
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    for (const pid of readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(argvPart)) return Number(pid);
    }
  }
  throw new Error(`no child process of the bench runs with "${argvPart}"`);
}

/** The worker logs "polling" before the server has seen its pollers; a run timed before that would include the wait. */
export async function waitForPollers(client: Client, namespace: string, taskQueue: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pollers = await Promise.all(
      QUEUE_TYPES.map(async (taskQueueType) => {
        const queue = await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: NORMAL_QUEUE }, taskQueueType });
        return queue.pollers?.length ?? 0;
      }),
    );
    if (pollers.every((n) => n > 0)) return;
    if (Date.now() > deadline) throw new Error(`no worker polls task queue ${taskQueue} after ${timeoutMs / 1000}s`);
    await sleep(100);
  }
}
