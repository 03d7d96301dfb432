import { formatRoughDuration } from './format.js';

/**
 * Recovery point objective, as measured: how much data a restore today would lose, i.e. the
 * time since the newest backup that passed a verify-restore. An unverified backup does not
 * count, because nothing shows it can be restored.
 */
export interface RpoEntry {
  finishedAt: string;
  verified: boolean;
}

/** Milliseconds since the newest verified backup finished; null when no backup is verified. */
export function rpoAgeMs(entries: RpoEntry[], now: Date): number | null {
  let newest: number | null = null;
  for (const entry of entries) {
    if (!entry.verified) continue;
    const at = Date.parse(entry.finishedAt);
    if (Number.isNaN(at)) throw new Error(`finishedAt is not a date: "${entry.finishedAt}"`);
    if (newest === null || at > newest) newest = at;
  }
  // A backup stamped slightly in the future (clock skew between workers) is as fresh as it gets, not a negative age.
  return newest === null ? null : Math.max(0, now.getTime() - newest);
}

/** 45s, 3h 12m, 2d 4h. */
export function formatAge(ms: number): string {
  return formatRoughDuration(ms / 1000);
}
