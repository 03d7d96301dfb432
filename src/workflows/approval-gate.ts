import { condition, setHandler } from '@temporalio/workflow';
import { approveUpdate, pendingApprovalQuery, type ApprovalDecision, type PendingApproval } from './deploy-signals.js';

/**
 * The approval gates of a deploy (or of a restore that replaces a database, `run` = 'restore'):
 * answers the pendingApproval query and the approve update. The first answer decides a gate. A
 * second one (two people answering at once, or late) is refused naming the first, rather than
 * both being told they succeeded while only the last one counted.
 */
export function trackApprovals(run = 'deploy') {
  let gate: { pending: PendingApproval; decision?: ApprovalDecision } | undefined;
  setHandler(pendingApprovalQuery, () => (gate && !gate.decision ? gate.pending : null));
  setHandler(
    approveUpdate,
    (answer) => {
      gate!.decision = answer;
      return { stage: gate!.pending.stage };
    },
    {
      // The handler runs right after its validator, before the next update is validated: the first answer closes the gate.
      validator: (answer) => {
        if (!gate) throw new Error(`no approval is pending for this ${run}`);
        const { decision, pending } = gate;
        if (decision) throw new Error(`the approval before ${pending.stage} was already ${decision.approved ? 'approved' : 'rejected'} by ${decision.by}`);
        if (!answer.by) throw new Error('an approval must say who gives it');
        // Restoring a database is never the side effect of an approve meant for a stage gate, nor the reverse.
        if (pending.restoreDb && answer.approved && !answer.restoreDb) {
          throw new Error(`this gate offers to restore ${pending.restoreDb.database} from ${pending.restoreDb.backupId}: approve with --restore-db, or decline with --reject`);
        }
        if (answer.restoreDb && !pending.restoreDb) throw new Error(`no database restore is offered: the gate is before ${pending.stage}`);
      },
    },
  );
  return {
    /** Waits for the first answer; none within the timeout is a reject by "timeout". A cancelled wait leaves no gate open. */
    async decide(stage: string, timeoutMinutes: number, release: Pick<PendingApproval, 'ref' | 'sha' | 'restoreDb'> = {}): Promise<ApprovalDecision> {
      const current: NonNullable<typeof gate> = { pending: { stage, since: new Date().toISOString(), timeoutMinutes, ...release } };
      gate = current;
      try {
        const answered = await condition(() => current.decision !== undefined, `${timeoutMinutes} minutes`);
        if (!answered) current.decision = { approved: false, by: 'timeout', reason: `no answer within ${timeoutMinutes} min` };
        return current.decision!;
      } catch (err) {
        gate = undefined;
        throw err;
      }
    },
  };
}
