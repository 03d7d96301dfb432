import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from '../../commands/command.js';
import { hashThrough, hashThroughResult } from '../../commands/hash-through.js';
import type { Secret } from '../../config/secret.js';
import { TransientFailure } from '../../core/errors.js';
import { spawnPipeline } from './spawn-pipeline.js';

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
  /** Also hash what the last stage reads (the plaintext, when the last stage encrypts), in a stage of its own before it. */
  hashLastInput?: boolean;
  /** Keep up to this many of the first stage's first bytes (StreamedFile.head). */
  keepHead?: number;
}

/**
 * Runs `first | second | ...`, each stage joined straight to the next, and streams the last stdout
 * into `file`, hashing it in the same pass, then fsyncs. The output never sits in memory. Any
 * command exiting non-zero, a write error (ENOSPC) or an empty output fails the whole step; the
 * caller removes the partial file.
 */
export async function streamCommandsToFile(commands: Command[], file: string, options: StreamOptions = {}): Promise<StreamedFile> {
  const hashesInput = options.hashLastInput === true && commands.length > 1;
  const stages = hashesInput ? [...commands.slice(0, -1), hashThrough(), commands.at(-1)!] : commands;
  const { children, tails, failure } = spawnPipeline(stages, { cancelSignal: options.cancelSignal, consumeOutput: true });

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
  // A 1 MiB buffer lets the 64 KiB chunks from the pipe gather into fewer, larger writes while one is under way.
  const writing = pipeline(children.at(-1)!.stdout!, measure, createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 }));
  writing.catch(() => children.forEach((child) => child.kill()));
  // Joined stages pass their bytes outside this process: only a lone stage's output is read here.
  const head = options.keepHead && children.length === 1 ? keepHead(children[0]!.stdout!, options.keepHead) : undefined;

  const [written, ...exits] = await Promise.allSettled([writing, ...children]);
  if (written!.status === 'rejected') {
    const err = written!.reason as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new TransientFailure(`disk full while writing ${file}`);
    if (!options.cancelSignal?.aborted) throw new TransientFailure(`writing ${file} failed: ${err.code ?? err.message}`);
  }
  const failed = failure(exits.map((exit) => (exit.status === 'fulfilled' ? exit.value : undefined)), options);
  if (failed) throw failed.error;
  if (bytes === 0) throw new TransientFailure(`${commands[0]!.file} produced no output`);
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex'), ...(hashesInput ? { input: hashThroughResult(tails.at(-2)!()) } : {}), ...(head ? { head: head() } : {}) };
}

/** A listener beside the pipe, which sees every chunk it passes on at no extra copy; it lets go once it holds `limit` bytes. */
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
