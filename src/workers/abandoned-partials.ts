import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BackupRepository } from '../records/backup-repository.js';
import { workflowIds } from '../temporal/names.js';

/**
 * Removes the partial backup directories a dead run left, of the targets no backup is running for.
 * A running `backup-<target>` is the target's lock (see workflowIds.backupTarget): its partial may
 * be another worker's live dump on the same repository (a second worker on the host, `ops up`
 * beside `ops worker`), so it stays. When Temporal cannot say, the partials stay too: the next
 * dump of the target sweeps them under that lock anyway.
 */
export async function removeAbandonedPartials(repository: BackupRepository, client: Client): Promise<string[]> {
  const removed: string[] = [];
  for (const target of await repository.targets()) {
    if (await mayBeRunning(client, target)) continue;
    removed.push(...(await repository.removePartials(target)));
  }
  return removed;
}

async function mayBeRunning(client: Client, target: string): Promise<boolean> {
  return client.workflow
    .getHandle(workflowIds.backupTarget(target))
    .describe()
    .then(
      (run) => run.status.name === 'RUNNING',
      (err: unknown) => !(err instanceof WorkflowNotFoundError),
    );
}
