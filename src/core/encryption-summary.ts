import { recipientFingerprint } from './age-recipients.js';

/** This host's backup.encryption.identityFile: none, one whose key is among the recipients, or one whose key is not. */
export type IdentityState = 'none' | 'reads' | 'matches-none';

/**
 * What `ops config check` says of backup.encryption: to whom dumps are encrypted, whether this host
 * can read them back, and which files targets are sealed as full archives. Nothing when encryption is off.
 */
export function encryptionSummary(input: { recipients: string[] | undefined; identity: IdentityState; filesTargets: string[] }): string[] {
  if (!input.recipients) return [];
  const fingerprints = input.recipients.map(recipientFingerprint).join(', ');
  const reads =
    input.identity === 'none'
      ? 'no identity on this host: it can dump, not verify, drill, restore or reencrypt'
      : input.identity === 'reads'
        ? 'identity configured: verify, drill, restore and reencrypt can read them'
        : // A rotation's worker may hold only the old key, to reencrypt the old backups; tonight's it cannot read.
          'the identity matches none of these recipients: it reads only backups made to its own key (a rotation\'s old ones, for reencrypt); verify, drill and restore of backups made now will fail';
  const lines = [`encryption: database dumps and files snapshots to ${input.recipients.length} age recipient(s) ${fingerprints}; ${reads}`];
  if (input.filesTargets.length > 0) lines.push(`note: files targets are sealed as one full archive per snapshot (no hard links to the previous one): ${input.filesTargets.join(', ')}`);
  return lines;
}
