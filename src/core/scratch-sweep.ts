import { scratchDatabaseAge } from './backup-id.js';

/** When a worker sweeps the verify server: now, and the age past which a scratch database is dropped whoever holds it. */
export interface SweepRule {
  now: Date;
  staleAfterHours: number;
}

/**
 * What a sweep does with one verify_* or restore_* database: ops's own scratch databases only (a name with
 * its stamp), dropped when no live verify or restore holds its lock, or when it is older than any of them
 * can run: that covers an owner whose host vanished without closing its connections, whose
 * lock the server keeps until TCP gives up on it.
 */
export function sweepDecision(name: string, lockFree: boolean, rule: SweepRule): 'drop' | 'keep' {
  const age = scratchDatabaseAge(name, rule.now);
  if (age === undefined) return 'keep';
  return lockFree || age > rule.staleAfterHours * 3600_000 ? 'drop' : 'keep';
}
