import { PreconditionFailed } from './errors.js';
import type { ReleaseLogEntry } from './release-log.js';

/**
 * The stages a run must find a passed deploy for in their release logs before it starts: for each
 * planned stage, every stage before it in the app's order that this run does not deploy first.
 * `--stages prod` of staging → prod needs staging's log; the default plan needs none.
 */
export function stagesToCheck(order: string[], plan: string[]): string[] {
  const needed = new Set<string>();
  plan.forEach((stage, position) => {
    const deployedFirst = plan.slice(0, position);
    for (const earlier of order.slice(0, Math.max(0, order.indexOf(stage)))) {
      if (!deployedFirst.includes(earlier)) needed.add(earlier);
    }
  });
  return order.filter((stage) => needed.has(stage));
}

type StageEntry = Pick<ReleaseLogEntry, 'at' | 'sha' | 'previous' | 'event'>;

/**
 * Why `sha` has not passed `stage`, from that stage's release log, or undefined when it has: its
 * newest deploy there must have succeeded, and no manual rollback may have taken the stage away
 * from it since, unless a later manual rollback went back to it (someone judged it good again).
 */
export function promotionRefusal(entries: StageEntry[], stage: string, sha: string): string | undefined {
  const short = sha.slice(0, 12);
  let restored = false;
  for (const entry of [...entries].reverse()) {
    if (entry.event === 'manual-rollback') {
      if (entry.sha === sha) restored = true;
      else if (entry.previous === sha && !restored) return `${short} was rolled back on ${stage} at ${entry.at}`;
      continue;
    }
    if (entry.sha !== sha) continue;
    if (entry.event === 'deployed') return undefined;
    return `${short} is last recorded on ${stage} as ${entry.event} at ${entry.at}`;
  }
  return `${short} was never deployed to ${stage}`;
}

/** A stage would receive a SHA that has not passed the stages before it: refused before anything changed. */
export class NotPromoted extends PreconditionFailed {}
