import type { OpsConfig } from '../../config/load-config.js';
import { backupId } from '../../core/backup-id.js';
import { PreconditionFailed, TransientFailure } from '../../core/errors.js';
import { openOffsiteStore, storeAnswer, type OffsiteStore } from './offsite-store.js';

/**
 * The first configured destination that holds the copy, in config order. One that cannot be
 * asked (unreachable) is passed over for the next; when none has it, every destination's answer
 * is in the message, and only then is an unreachable one the reason to retry.
 */
export async function firstStoreWithCopy(config: OpsConfig, target: string, stamp: string): Promise<OffsiteStore> {
  const answers: string[] = [];
  let unreachable = false;
  for (const destination of config.backup.offsite) {
    const store = await openOffsiteStore(config, destination);
    try {
      if (await store.has(target, stamp)) return store;
      answers.push(`${store.name}: no copy`);
    } catch (err) {
      const { answer, retryable } = storeAnswer(store, err);
      unreachable ||= retryable;
      answers.push(answer);
    }
  }
  const message = `no offsite destination has ${backupId(target, stamp)} (${answers.join('; ')})`;
  throw unreachable ? new TransientFailure(message) : new PreconditionFailed(message);
}
