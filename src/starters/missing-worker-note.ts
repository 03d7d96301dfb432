import type { WorkflowHandle } from '@temporalio/client';
import { activityRolesOf, roleTaskQueue } from '../temporal/names.js';

/** temporal.api.enums.v1 wire values: a task waiting for a worker to take it, and the queue kinds. */
const SCHEDULED = 1;
const QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

/**
 * Why a watched run shows no progress, when the reason is that no worker takes its tasks: a
 * workflow task, or a step, scheduled and not taken, on a queue that no worker polls. A run with
 * nothing waiting to be taken (a long dump under way) gets no note. Undefined when there is none.
 */
export async function missingWorkerNote(handle: WorkflowHandle): Promise<string | undefined> {
  const description = await handle.describe();
  const base = description.taskQueue;
  const service = handle.client.workflowService;
  const namespace = handle.client.options.namespace;
  const polled = async (name: string, type: number) => ((await service.describeTaskQueue({ namespace, taskQueue: { name }, taskQueueType: type })).pollers ?? []).length > 0;
  const waiting: string[] = [];
  if (description.raw.pendingWorkflowTask?.state === SCHEDULED && !(await polled(base, QUEUE_TYPE.workflow))) waiting.push(`"${base}" (every worker polls it: ops worker)`);
  if ((description.raw.pendingActivities ?? []).some((a) => a.state === SCHEDULED)) {
    for (const role of activityRolesOf('all')) {
      const queue = roleTaskQueue(base, role);
      if (!(await polled(queue, QUEUE_TYPE.activity))) waiting.push(`"${queue}" (its steps: ops worker --role ${role}, or --role all)`);
    }
  }
  return waiting.length > 0 ? `waiting: no worker polls task queue ${waiting.join(', nor ')} in namespace ${namespace}; the run goes on once one does` : undefined;
}
