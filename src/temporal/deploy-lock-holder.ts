import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { DEPLOY_LOCK_MEMO, type DeployLockInfo, type DeployLockMemo } from '../workflows/deploy-lock.js';
import { workflowIds } from './names.js';

export interface HeldDeployLock extends DeployLockInfo {
  workflowId: string;
  runId: string;
}

/**
 * The manual lock (`ops lock`) holding deploy-<app>, read from its memo so that no worker is
 * needed; undefined when the id is free or held by a deploy or rollback run.
 */
export async function heldDeployLock(client: Client, app: string): Promise<HeldDeployLock | undefined> {
  try {
    const run = await client.workflow.getHandle(workflowIds.deploy(app)).describe();
    if (run.type !== 'deployLock' || run.status.name !== 'RUNNING') return undefined;
    const lock = run.memo?.[DEPLOY_LOCK_MEMO] as Partial<DeployLockMemo> | undefined;
    // The run's start is the lock's: the same instant the workflow's query reports.
    return { app, by: lock?.by ?? 'unknown', reason: lock?.reason ?? 'no reason recorded', since: run.startTime.toISOString(), workflowId: run.workflowId, runId: run.runId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The one line a refused deploy prints. */
export function lockedMessage(lock: DeployLockInfo, since: string): string {
  return `deploys of ${lock.app} are locked by ${lock.by} since ${since}: ${lock.reason} (ops unlock ${lock.app} releases it)`;
}
