import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '../../commands/command.js';
import { hashThrough, hashThroughResult } from '../../commands/hash-through.js';
import type { Secret } from '../../config/secret.js';
import { TransientFailure } from '../../core/errors.js';
import { assertJoinable, spawnPipeline } from './spawn-pipeline.js';

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

/** Below this much free space, a stage that failed while writing the file is taken to have met a full disk. */
const FULL_DISK_BYTES = 1 << 20;

/**
 * Runs `first | second | ...`, each stage joined straight to the next, into `file` (created
 * here, mode 0600), hashing the output as it is written, then fsyncs. The output never sits in
 * memory. Any command exiting non-zero, a full disk or an empty output fails the whole step; the
 * caller removes the partial file.
 *
 * A last stage that writes in order (Command.writesInOrder: age, zstd) writes the file itself, and
 * this process hashes the file as it grows: reading it back from the page cache costs less than
 * passing every byte through one more pipe and this process's one thread. Any other last stage
 * (pg_dump, which seeks back in a file to rewrite its table of contents) writes into a pipe that
 * this process hashes on its way into the file.
 */
export async function streamCommandsToFile(commands: Command[], file: string, options: StreamOptions = {}): Promise<StreamedFile> {
  const hashesInput = options.hashLastInput === true && commands.length > 1;
  const stages = hashesInput ? [...commands.slice(0, -1), hashThrough(), commands.at(-1)!] : commands;
  assertJoinable(stages);
  // Read as well as written: a file the last stage writes is read back through this handle.
  const output = await open(file, 'wx+', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw new TransientFailure(err.code === 'ENOSPC' ? `disk full while writing ${file}` : `writing ${file} failed: ${err.code ?? err.message}`);
  });
  try {
    // A lone stage's output is the file: its first bytes are the file's.
    const digest = new OutputDigest(options.onProgress, options.keepHead && stages.length === 1 ? options.keepHead : 0);
    const write = stages.at(-1)!.writesInOrder ? followWrittenFile : hashPipedOutput;
    const tails = await write(stages, file, output, digest, options);
    if (digest.bytes === 0) throw new TransientFailure(`${commands[0]!.file} produced no output`);
    await output.sync();
    return { ...digest.result(), ...(hashesInput ? { input: hashThroughResult(tails.at(-2)!()) } : {}) };
  } finally {
    await output.close().catch(() => undefined);
  }
}

/** The output's count and SHA-256, taken chunk by chunk, with its first bytes when asked for; onProgress at most once a second. */
class OutputDigest {
  bytes = 0;
  readonly #hash = createHash('sha256');
  readonly #head: Buffer[] = [];
  #lastReport = 0;

  constructor(
    private readonly onProgress: ((bytes: number) => void) | undefined,
    private readonly headLimit: number,
  ) {}

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
    // A copy: the caller may reuse the chunk's memory for the next read.
    if (this.bytes < this.headLimit) this.#head.push(Buffer.from(chunk.subarray(0, this.headLimit - this.bytes)));
    this.bytes += chunk.length;
    if (this.onProgress && Date.now() - this.#lastReport > 1000) {
      this.#lastReport = Date.now();
      this.onProgress(this.bytes);
    }
  }

  result(): Pick<StreamedFile, 'bytes' | 'sha256' | 'head'> {
    return { bytes: this.bytes, sha256: this.#hash.digest('hex'), ...(this.headLimit > 0 ? { head: Buffer.concat(this.#head) } : {}) };
  }
}

/** The last stage writes `output` itself; this reads what it wrote, as it grows, until that stage has ended. Returns the stages' stderr tails. */
async function followWrittenFile(stages: Command[], file: string, output: FileHandle, digest: OutputDigest, options: StreamOptions): Promise<Array<() => string>> {
  const { children, tails, failure } = spawnPipeline(stages, { cancelSignal: options.cancelSignal, output: output.fd });
  let writerEnded = false;
  const writerEnd = children.at(-1)!.then(() => (writerEnded = true));
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      // Whatever the writer wrote before it ended is there to read once it has ended: one more read after that finds it.
      const ended = writerEnded;
      const { bytesRead } = await output.read(buffer, 0, buffer.length, digest.bytes);
      if (bytesRead > 0) digest.update(buffer.subarray(0, bytesRead));
      else if (ended) break;
      else await Promise.race([writerEnd, sleep(10)]);
    }
  } catch (err) {
    children.forEach((child) => child.kill());
    throw err;
  }
  const failed = failure(await Promise.all(children), options);
  if (failed) throw (await diskFull(file)) ?? failed.error;
  return tails;
}

/** The last stage writes into a pipe; this hashes every chunk on its way into `output`. Returns the stages' stderr tails. */
async function hashPipedOutput(stages: Command[], file: string, output: FileHandle, digest: OutputDigest, options: StreamOptions): Promise<Array<() => string>> {
  const { children, tails, failure } = spawnPipeline(stages, { cancelSignal: options.cancelSignal, output: 'pipe' });
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      digest.update(chunk);
      done(null, chunk);
    },
  });
  // A 1 MiB buffer lets the 64 KiB chunks from the pipe gather into fewer, larger writes while one is under way.
  const writing = pipeline(children.at(-1)!.stdout!, measure, createWriteStream('', { fd: output.fd, autoClose: false, highWaterMark: 1 << 20 }));
  writing.catch(() => children.forEach((child) => child.kill()));

  const [written, ...exits] = await Promise.allSettled([writing, ...children]);
  if (written!.status === 'rejected') {
    const err = written!.reason as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new TransientFailure(`disk full while writing ${file}`);
    if (!options.cancelSignal?.aborted) throw new TransientFailure(`writing ${file} failed: ${err.code ?? err.message}`);
  }
  const failed = failure(exits.map((exit) => (exit.status === 'fulfilled' ? exit.value : undefined)), options);
  if (failed) throw failed.error;
  return tails;
}

/**
 * A tool that failed writing the file reports a full disk in its own words (and language); the
 * space left on the file's filesystem says it the same way for every tool.
 */
async function diskFull(file: string): Promise<TransientFailure | undefined> {
  const fs = await statfs(dirname(file)).catch(() => undefined);
  return fs && fs.bavail * fs.bsize < FULL_DISK_BYTES ? new TransientFailure(`disk full while writing ${file}`) : undefined;
}
