import { sweepDecision, type SweepRule } from '../../core/scratch-sweep.js';

/** How one engine holds and drops a scratch database (PostgreSQL advisory locks, MySQL GET_LOCK). */
export interface ScratchOwnership {
  tryLock(name: string): Promise<boolean>;
  unlock(name: string): Promise<void>;
  drop(name: string): Promise<void>;
}

/**
 * Drops each of `names` that no live owner holds (see sweepDecision) and returns those dropped. A
 * lock taken only to look is released again, so the sweeping session never ends up owning one.
 */
export async function sweepAbandoned(names: string[], engine: ScratchOwnership, rule: SweepRule): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of names) {
    const lockFree = await engine.tryLock(name);
    try {
      if (sweepDecision(name, lockFree, rule) === 'drop') {
        await engine.drop(name);
        dropped.push(name);
      }
    } finally {
      if (lockFree) await engine.unlock(name);
    }
  }
  return dropped;
}
