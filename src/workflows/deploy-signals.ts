import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Who approved or rejected a gate, and why. */
export interface ApprovalDecision {
  approved: boolean;
  by: string;
  reason?: string;
  /** `ops deploy approve --restore-db`: the answer to a gate that offers a database restore. */
  restoreDb?: boolean;
}

export interface PendingApproval {
  stage: string;
  since: string;
  timeoutMinutes: number;
  /** What would be deployed on approval (absent in runs started before they were shown). */
  ref?: string;
  sha?: string;
  /** A gate after a migrated stage failed: approving restores this database from this backup. */
  restoreDb?: { database: string; backupId: string };
}

/** `ops deploy approve APP [--reject]`: an update, so the caller learns at once whether a gate was waiting. */
export const approveUpdate = defineUpdate<{ stage: string }, [ApprovalDecision]>('approve');

/** The gate the deploy is waiting at, if any. */
export const pendingApprovalQuery = defineQuery<PendingApproval | null>('pendingApproval');
