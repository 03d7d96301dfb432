import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Who approved or rejected a gate, and why. */
export interface ApprovalDecision {
  approved: boolean;
  by: string;
  reason?: string;
}

export interface PendingApproval {
  stage: string;
  since: string;
  timeoutMinutes: number;
  /** What would be deployed on approval (absent in runs started before they were shown). */
  ref?: string;
  sha?: string;
}

/** `ops deploy approve APP [--reject]`: an update, so the caller learns at once whether a gate was waiting. */
export const approveUpdate = defineUpdate<{ stage: string }, [ApprovalDecision]>('approve');

/** The gate the deploy is waiting at, if any. */
export const pendingApprovalQuery = defineQuery<PendingApproval | null>('pendingApproval');
