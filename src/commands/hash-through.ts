import type { Command } from './command.js';

// Synchronous reads and writes of up to 1 MiB: this process does nothing else, and it needs no event loop.
const SCRIPT = `
const { readSync, writeSync } = require('node:fs');
const hash = require('node:crypto').createHash('sha256');
const buffer = Buffer.allocUnsafe(1 << 20);
let bytes = 0;
try {
  for (let n; (n = readSync(0, buffer, 0, buffer.length, null)) > 0; bytes += n) {
    hash.update(buffer.subarray(0, n));
    for (let at = 0; at < n; ) at += writeSync(1, buffer, at, n - at);
  }
} catch (err) {
  process.stderr.write('hash-through: ' + err.message + '\\n');
  process.exit(1);
}
process.stderr.write(JSON.stringify({ bytes, sha256: hash.digest('hex') }) + '\\n');
`;

/**
 * A pipeline stage that passes its stdin to its stdout unchanged and then prints the bytes' count
 * and SHA-256 on stderr, as one JSON line. Put before an encrypting stage, it hashes the plaintext
 * in a process of its own, on another core than the worker's one thread, which then handles only
 * the ciphertext. The same node that runs ops runs it; NODE_OPTIONS is cleared so that a loader
 * the worker was started with (tsx) does not slow its start.
 */
export function hashThrough(): Command {
  return { file: process.execPath, args: ['-e', SCRIPT], env: { NODE_OPTIONS: '' } };
}

/** The count and SHA-256 a hashThrough stage printed, from its stderr. */
export function hashThroughResult(stderr: string): { bytes: number; sha256: string } {
  const { bytes, sha256 } = JSON.parse(stderr.trim().split('\n').at(-1) ?? '') as { bytes: number; sha256: string };
  return { bytes, sha256 };
}
