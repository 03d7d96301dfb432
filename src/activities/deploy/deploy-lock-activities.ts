import type { Client } from '@temporalio/client';
import { heldDeployLock } from '../../temporal/deploy-lock-holder.js';

/** What a workflow may ask about `ops lock`: a schedule's deploy reads who holds the app's deploy id. */
export function createDeployLockActivities(client: Client) {
  return {
    heldDeployLock: (input: { app: string }) => heldDeployLock(client, input.app),
  };
}

export type DeployLockActivities = ReturnType<typeof createDeployLockActivities>;
