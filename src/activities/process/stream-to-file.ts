import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from '../../commands/command.js';
import type { Secret } from '../../config/secret.js';
import { TransientFailure } from '../../core/errors.js';
import { commandFailure } from './run-command.js';
import { spawnPipeline } from './spawn-pipeline.js';
import { childFailureMessage } from './start-child.js';

export interface StreamedFile {
  bytes: number;
  sha256: string;
  /** what went into the last stage, when asked for (the plaintext an encrypting stage received) */
  input?: { bytes: number; sha256: string };
  /** the first stage's first bytes, when asked for (a dump's header, before any encryption) */
  head?: Buffer;
}

export interface StreamOptions {
  secrets?: Array<Secret | undefined>;
  cancelSignal?: AbortSignal;
  /** Called with the bytes written so far, at most once a second: activities heartbeat from here. */
  onProgress?: (bytes: number) => void;
  /** Also hash what the last stage reads: the plaintext, when the last stage encrypts. */
  hashLastInput?: boolean;
  /** Keep up to this many of the first stage's first bytes (StreamedFile.head). */
  keepHead?: number;
}

/**
 * Runs `first | second | ...` and streams the last stdout into `file`, hashing it in the same pass,
 * then fsyncs. The output never sits in memory. Any command exiting non-zero, a write error
 * (ENOSPC) or an empty output fails the whole step; the caller removes the partial file.
 */
export async function streamCommandsToFile(commands: Command[], file: string, options: StreamOptions = {}): Promise<StreamedFile> {
  const { children, tails } = spawnPipeline(commands, { cancelSignal: options.cancelSignal, consumeOutput: true });
  // A second 'data' listener beside the pipe sees every chunk the pipe passes on, in order, at no extra copy.
  const input = options.hashLastInput && children.length > 1 ? measureStream(children.at(-2)!.stdout!) : undefined;

  const hash = createHash('sha256');
  let bytes = 0;
  let lastReport = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      if (options.onProgress && Date.now() - lastReport > 1000) {
        lastReport = Date.now();
        options.onProgress(bytes);
      }
      done(null, chunk);
    },
  });
  const writing = pipeline(children.at(-1)!.stdout!, measure, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  writing.catch(() => children.forEach((child) => child.kill('SIGTERM')));
  const head = options.keepHead ? keepHead(children[0]!.stdout!, options.keepHead) : undefined;

  const [written, ...exits] = await Promise.allSettled([writing, ...children]);
  if (written!.status === 'rejected') {
    const err = written!.reason as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new TransientFailure(`disk full while writing ${file}`);
    if (!options.cancelSignal?.aborted) throw new TransientFailure(`writing ${file} failed: ${err.code ?? err.message}`);
  }
  for (const [i, exit] of exits.entries()) {
    const result = exit.status === 'fulfilled' ? exit.value : undefined;
    if (!result || result.failed) {
      throw commandFailure(commands[i]!, result?.exitCode, tails[i]!() || childFailureMessage(commands[i]!, result), options);
    }
  }
  if (bytes === 0) throw new TransientFailure(`${commands[0]!.file} produced no output`);
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex'), ...(input ? { input: input() } : {}), ...(head ? { head: head() } : {}) };
}

/** Like measureStream, a listener beside the pipe; it lets go once it holds `limit` bytes. */
function keepHead(stream: NodeJS.ReadableStream, limit: number): () => Buffer {
  const chunks: Buffer[] = [];
  let kept = 0;
  const onData = (chunk: Buffer) => {
    chunks.push(chunk.subarray(0, limit - kept));
    kept += Math.min(chunk.length, limit - kept);
    if (kept >= limit) stream.off('data', onData);
  };
  stream.on('data', onData);
  return () => Buffer.concat(chunks);
}

function measureStream(stream: NodeJS.ReadableStream): () => { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  return () => ({ bytes, sha256: hash.digest('hex') });
}
