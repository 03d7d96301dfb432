import type { OpsConfig } from '../../config/load-config.js';
import { describeError } from '../../core/errors.js';
import { openOffsiteStore } from './offsite-store.js';

/** One destination's complete copies per target, or why it could not be listed. */
export type DestinationListing = { destination: string; stamps: Map<string, string[]> } | { destination: string; error: string };

/**
 * Every configured destination's copies of these targets, by the same listing the restore's
 * offsite pick uses (so it sweeps what a cut-short copy left, as that does). A destination that
 * cannot be listed is reported, not fatal: the others still answer.
 */
export async function listOffsiteCopies(config: OpsConfig, targets: string[]): Promise<DestinationListing[]> {
  const listings: DestinationListing[] = [];
  for (const destination of config.backup.offsite) {
    const store = await openOffsiteStore(config, destination);
    try {
      const stamps = new Map<string, string[]>();
      for (const target of targets) stamps.set(target, await store.listStamps(target));
      listings.push({ destination: store.name, stamps });
    } catch (err) {
      listings.push({ destination: store.name, error: describeError(err) });
    }
  }
  return listings;
}
