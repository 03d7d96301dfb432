import type { OffsiteRecord } from './backup-record.js';
import { destinationsWithCopy } from './offsite-record.js';

export type VerifyState = 'passed' | 'failed' | 'running' | 'none';

/** What `ops backups list` knows about one backup: its local record (if any) and where a copy is. */
export interface BackupPlaces {
  /** false for a copy only an offsite listing shows: this repository has no record of it */
  recorded: boolean;
  verify: VerifyState;
  /** the artifact is in the local repository */
  local: boolean;
  /** destinations that hold a copy, in config order */
  offsite: string[];
}

export type Restorability = { restorable: true } | { restorable: false; whyNot: string };

/**
 * Whether `ops restore` can be trusted with this backup: it passed verify, and its artifact is
 * in the local repository or confirmed at an offsite destination. Otherwise every reason, short.
 * A copy only an offsite listing shows has no verify record here; `ops restore` would still
 * take it and judge it by its own checks, but this list does not call it verified.
 */
export function restorability(places: BackupPlaces): Restorability {
  const reasons: string[] = [];
  if (!places.recorded) reasons.push('no verify record here (offsite only)');
  else if (places.verify === 'failed') reasons.push('verify failed');
  else if (places.verify === 'running') reasons.push('verify running');
  else if (places.verify === 'none') reasons.push('not verified');
  if (!places.local && places.offsite.length === 0) reasons.push('no copy: artifact missing locally and no confirmed offsite copy');
  return reasons.length === 0 ? { restorable: true } : { restorable: false, whyNot: reasons.join('; ') };
}

/**
 * The destinations holding a copy: those offsite.json records as confirmed, and (with --offsite)
 * those whose listing shows it, in config order; a recorded destination no longer configured last.
 */
export function offsitePlaces(record: OffsiteRecord | undefined, listed: string[], configured: string[]): string[] {
  const held = new Set([...destinationsWithCopy(record, configured), ...listed]);
  return [...configured.filter((name) => held.has(name)), ...[...held].filter((name) => !configured.includes(name))];
}
