import { condition, defineQuery, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';

/** Who locked an app's deploys, why and since when: the run's memo (`lock`) and its query say the same. */
export interface DeployLockInfo {
  app: string;
  by: string;
  reason: string;
  /** ISO time the lock was taken */
  since: string;
}

export interface DeployLockInput {
  app: string;
  by: string;
  reason: string;
}

export interface DeployLockResult extends DeployLockInfo {
  unlockedBy: string;
  unlockedAt: string;
}

export const unlockSignal = defineSignal<[{ by: string }]>('unlock');
export const deployLockQuery = defineQuery<DeployLockInfo>('deployLock');

/** The memo key starters read who and why from, without a worker (a query needs one); since is the run's start. */
export const DEPLOY_LOCK_MEMO = 'lock';

export type DeployLockMemo = Pick<DeployLockInfo, 'by' | 'reason'>;

/**
 * `ops lock`: holds the app's deploy id, deploy-<app>, until `ops unlock` signals it, so every
 * deploy started meanwhile (the CLI's or a schedule's) is refused with who locked it and why. It is
 * a running workflow, not a file: it shows in the Web UI and `ops status`, and cannot outlive
 * its release or be forgotten on one machine.
 */
export async function deployLock(input: DeployLockInput): Promise<DeployLockResult> {
  const info: DeployLockInfo = { ...input, since: workflowInfo().startTime.toISOString() };
  let unlockedBy: string | undefined;
  setHandler(deployLockQuery, () => info);
  setHandler(unlockSignal, ({ by }) => {
    unlockedBy ??= by;
  });
  await condition(() => unlockedBy !== undefined);
  return { ...info, unlockedBy: unlockedBy!, unlockedAt: new Date().toISOString() };
}
