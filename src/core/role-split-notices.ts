/**
 * An ops worker runs one SDK worker for the workflow queue and one per role's step queue (see
 * worker roles in temporal/names.ts), so each of them has, by design, no activities or no
 * workflows, and the SDK warns about it at every start. Those warnings say nothing a user can act on.
 */
const ROLE_SPLIT_NOTICES = ['No activities registered, not polling for activity tasks', 'No workflows registered, not polling for workflow tasks'];

export function isRoleSplitNotice(message: string): boolean {
  return ROLE_SPLIT_NOTICES.includes(message);
}
