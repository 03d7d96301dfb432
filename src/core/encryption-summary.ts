import { recipientFingerprint } from './age-recipients.js';

/**
 * What `ops config check` says of backup.encryption: to whom dumps are encrypted, whether this host
 * can read them back, and which files targets are sealed as full archives. Nothing when encryption is off.
 */
export function encryptionSummary(input: { recipients: string[] | undefined; identity: boolean; filesTargets: string[] }): string[] {
  if (!input.recipients) return [];
  const fingerprints = input.recipients.map(recipientFingerprint).join(', ');
  const reads = input.identity ? 'identity configured: verify, drill, restore and reencrypt can read them' : 'no identity on this host: it can dump, not verify, drill, restore or reencrypt';
  const lines = [`encryption: database dumps and files snapshots to ${input.recipients.length} age recipient(s) ${fingerprints}; ${reads}`];
  if (input.filesTargets.length > 0) lines.push(`note: files targets are sealed as one full archive per snapshot (no hard links to the previous one): ${input.filesTargets.join(', ')}`);
  return lines;
}
