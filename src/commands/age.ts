import type { Command } from './command.js';

/**
 * The Debian `age` CLI as a stream stage. Recipients are public keys and may sit in argv; the
 * identity never does: every decrypting command reads it from stdin (`-i -`), so it goes from
 * this process's memory into a pipe and never touches argv, env or disk.
 */

/** Encrypts stdin to stdout for every recipient. */
export function ageEncrypt(recipients: string[]): Command {
  return { file: 'age', args: ['--encrypt', ...recipients.flatMap((r) => ['-r', r])] };
}

/** Decrypts `file` to stdout with the identity read from stdin. */
export function ageDecrypt(file: string): Command {
  return { file: 'age', args: ['--decrypt', '-i', '-', '--', file] };
}

/** The public key of every identity read from stdin, one per line. */
export function agePublicKeys(): Command {
  return { file: 'age-keygen', args: ['-y'] };
}
