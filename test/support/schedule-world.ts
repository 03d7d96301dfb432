import { randomBytes } from 'node:crypto';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { testServers } from './servers.js';

export interface ScheduleWorld {
  client: Client;
  /** A schedule id no other test uses: `s<token>-<name>`. */
  id(name: string): string;
  /** A task queue no other test uses. */
  taskQueue(name: string): string;
  /** Deletes every schedule whose id this world made, and terminates the runs they started. */
  cleanup(): Promise<void>;
}

/** A client on the shared dev server, and unique schedule ids and task queues that it cleans up after. */
export async function makeScheduleWorld(): Promise<ScheduleWorld> {
  const connection = await Connection.connect({ address: testServers().temporalAddress });
  const client = new Client({ connection, namespace: 'default' });
  const token = randomBytes(4).toString('hex');
  const ids = new Set<string>();
  const queues = new Set<string>();
  return {
    client,
    id(name) {
      const id = `s${token}-${name}`;
      ids.add(id);
      return id;
    },
    taskQueue(name) {
      const queue = `sched-${token}-${name}`;
      queues.add(queue);
      return queue;
    },
    async cleanup() {
      for (const id of ids) {
        await client.schedule.getHandle(id).delete().catch((err: unknown) => {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        });
      }
      for (const queue of queues) {
        for await (const run of client.workflow.list({ query: `TaskQueue = "${queue}" AND ExecutionStatus = "Running"` })) {
          await client.workflow.getHandle(run.workflowId, run.runId).terminate('test cleanup').catch(() => undefined);
        }
      }
      await connection.close();
    },
  };
}
