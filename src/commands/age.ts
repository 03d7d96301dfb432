import type { Secret } from '../config/secret.js';
import type { Command } from './command.js';

/**
 * The Debian `age` CLI as a stream stage. Recipients are public keys and may sit in argv; the
 * identity never does: every decrypting command reads it from stdin (`-i -`), so it goes from
 * this process's memory into a pipe and never touches argv, env or disk.
 */

/** Encrypts stdin to stdout for every recipient. */
export function ageEncrypt(recipients: string[]): Command {
  return { file: 'age', args: ['--encrypt', ...recipients.flatMap((r) => ['-r', r])], writesInOrder: true };
}

/** Decrypts `file` to stdout with the identity, which the command carries as its stdin. */
export function ageDecrypt(file: string, identity: Secret): Command {
  return { file: 'age', args: ['--decrypt', '-i', '-', '--', file], input: identity.reveal() };
}

/** The public key of every identity in `identity` (carried as stdin), one per line. */
export function agePublicKeys(identity: Secret): Command {
  return { file: 'age-keygen', args: ['-y'], input: identity.reveal() };
}
