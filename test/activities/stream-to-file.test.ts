import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { streamCommandsToFile } from '../../src/activities/process/stream-to-file.js';
import type { Command } from '../../src/commands/command.js';
import { CommandFailed, TransientFailure } from '../../src/core/errors.js';
import { testServers } from '../support/servers.js';

const sh = (script: string): Command => ({ file: 'sh', args: ['-c', script] });

/**
 * Real commands streamed into real files. The file is the caller's partial (dumpTarget's
 * .partial-* directory): on failure it is the caller that removes it and never renames it into
 * place (test/workflows/backup-tool-failures.test.ts shows that end to end).
 */
describe('streamCommandsToFile', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'stream-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const nextFile = () => join(dir, `out-${++n}`);

  it('streams the output into the file with its size and sha256', async () => {
    const file = nextFile();
    await expect(streamCommandsToFile([sh('printf abc')], file)).resolves.toEqual({
      bytes: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    expect(readFileSync(file, 'utf8')).toBe('abc');
  });

  it('with hashLastInput, also hashes what the last stage read; the first command\'s input is its stdin', async () => {
    const file = nextFile();
    // gzip -c of "abc" from stdin: the file holds gzip's bytes, the input hash is the plaintext's.
    const streamed = await streamCommandsToFile([{ file: 'cat', args: [], input: 'abc' }, { file: 'gzip', args: ['-c', '-n'] }], file, { hashLastInput: true });
    expect(streamed.input).toEqual({ bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
    expect(streamed.bytes).toBe(readFileSync(file).length);
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('with hashLastInput, hashes megabytes of input exactly, in a stage of its own that passes them on unchanged', async () => {
    // More than the hashing stage's 1 MiB buffer, and not a multiple of it.
    const plaintext = randomBytes(5 * 2 ** 20 + 12_345);
    const source = join(dir, 'plaintext');
    writeFileSync(source, plaintext);
    const file = nextFile();
    const streamed = await streamCommandsToFile([{ file: 'cat', args: [source] }, { file: 'gzip', args: ['-c', '-n', '-1'] }], file, { hashLastInput: true });
    expect(streamed.input).toEqual({ bytes: plaintext.length, sha256: createHash('sha256').update(plaintext).digest('hex') });
    expect(gunzipSync(readFileSync(file)).equals(plaintext)).toBe(true);
    expect(streamed.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('a last stage that writes in order writes the file itself, hashed as it grows: megabytes, exactly, at mode 0600', async () => {
    const plaintext = randomBytes(7 * 2 ** 20 + 4_321);
    const source = join(dir, 'in-order');
    writeFileSync(source, plaintext);
    const file = nextFile();
    // gzip in steps of 64 KiB with pauses, so that the reader catches up with the writer and has to wait for more.
    const slowly = sh(`i=0; while [ $i -lt 113 ]; do dd if=${source} bs=65536 skip=$i count=1 status=none; i=$((i + 1)); if [ $((i % 20)) -eq 0 ]; then sleep 0.05; fi; done`);
    const streamed = await streamCommandsToFile([slowly, { file: 'gzip', args: ['-c', '-n', '-1'], writesInOrder: true }], file, { hashLastInput: true });
    const written = readFileSync(file);
    expect(gunzipSync(written).equals(plaintext)).toBe(true);
    expect(streamed).toEqual({
      bytes: written.length,
      sha256: createHash('sha256').update(written).digest('hex'),
      input: { bytes: plaintext.length, sha256: createHash('sha256').update(plaintext).digest('hex') },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a last stage that writes in order and is cancelled settles at once, its stages gone', async () => {
    const cancel = new AbortController();
    const started = Date.now();
    const streaming = streamCommandsToFile([sh('head -c 100000 /dev/zero; exec sleep 30'), { file: 'cat', args: [], writesInOrder: true }], nextFile(), { cancelSignal: cancel.signal });
    setTimeout(() => cancel.abort(), 300);
    const error = await streaming.then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(CommandFailed);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await execa('pgrep', ['-f', 'exec sleep 30'], { reject: false })).stdout).toBe('');
  });

  it.each([
    ['through a pipe (a last stage that may seek)', false],
    ['written by a last stage that writes in order', true],
  ])('a full disk fails the step as disk full, retryable: %s', async (_, writesInOrder) => {
    const mount = mkdtempSync(join(dir, 'full-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    try {
      writeFileSync(join(mount, '.filler'), Buffer.alloc(256 * 1024 - 16 * 1024));
      const file = join(mount, 'dump');
      const error = await streamCommandsToFile([sh('head -c 1000000 /dev/urandom'), { file: 'cat', args: [], writesInOrder }], file).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(TransientFailure);
      expect((error as TransientFailure).message).toBe(`disk full while writing ${file}`);
    } finally {
      await execa('umount', [mount]);
    }
  });

  it('joins the stages pipe to pipe: a stage that stops reading fails the step by its own error, not the SIGPIPE it sent upstream', async () => {
    // Joined through this process, `yes` would block on a pipe nobody reads; joined directly, the kernel stops it with SIGPIPE.
    const commands = [sh('sleep 2; exec yes'), sh('exec <&-; echo "age: broken" >&2; exit 5'), { file: 'cat', args: [] }];
    const error = await streamCommandsToFile(commands, nextFile(), { hashLastInput: true }).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(CommandFailed);
    expect([(error as CommandFailed).exitCode, (error as CommandFailed).message]).toEqual([5, 'sh failed (exit 5): age: broken']);
  }, 20_000);

  it.each([
    ['through a pipe', false],
    ['written by the stage itself', true],
  ])('with keepHead, keeps the first 1024 bytes of a lone stage\'s output: %s', async (_, writesInOrder) => {
    const file = nextFile();
    // Enough output to take several chunks: the head is its start only.
    const streamed = await streamCommandsToFile([{ ...sh('printf PGDMP; head -c 2000000 /dev/zero'), writesInOrder }], file, { keepHead: 1024 });
    expect(streamed.head).toEqual(Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(1019)]));
    expect(streamed.bytes).toBe(readFileSync(file).length);
  });

  it('with keepHead, a first stage joined straight to the next keeps no head: its bytes never pass through this process (the caller asks the tool instead)', async () => {
    const file = nextFile();
    const streamed = await streamCommandsToFile([sh('printf PGDMP; head -c 200000 /dev/zero'), { file: 'gzip', args: ['-c', '-n'] }], file, { keepHead: 1024 });
    expect(streamed.head).toBeUndefined();
    expect(gunzipSync(readFileSync(file))).toEqual(Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(200000)]));
  });

  it.each([
    // Without stderr the message falls back to execa's, which names the command line.
    ['a tool that exits non-zero after some output', [sh('echo x; exit 3')], /^sh failed \(exit 3\): .*sh -c 'echo x; exit 3'/, 3],
    ['a tool that exits non-zero with an error on stderr', [sh('echo x; echo "dump: broken" >&2; exit 3')], /^sh failed \(exit 3\): dump: broken$/, 3],
    ['the first of a pipeline failing while the last succeeds', [sh('echo x; exit 3'), { file: 'cat', args: [] }], /^sh failed \(exit 3\): /, 3],
    ['the last of a pipeline failing', [sh('echo x'), sh('cat; exit 4')], /^sh failed \(exit 4\): .*sh -c 'cat; exit 4'/, 4],
  ])('%s fails the step as CommandFailed with the exit code', async (_, commands, message, exitCode) => {
    const error = await streamCommandsToFile(commands, nextFile()).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(CommandFailed);
    expect((error as CommandFailed).exitCode).toBe(exitCode);
    expect((error as CommandFailed).message).toMatch(message);
  });

  it('refuses a later stage that carries input of its own, which its pipe would silently drop', async () => {
    const file = nextFile();
    const error = await streamCommandsToFile([sh('printf abc'), { file: 'cat', args: [], input: 'lost' }], file).then(() => undefined, (err: unknown) => err);
    expect((error as Error).message).toBe('cat is stage 2 of a pipeline: its stdin is the previous stage\'s output, it cannot carry input of its own');
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['a tool that succeeds without output', [sh('exit 0')], 'sh produced no output'],
    ['a pipeline whose last command drops everything', [sh('echo x'), { file: 'sh', args: ['-c', 'cat >/dev/null'] }], 'sh produced no output'],
  ])('%s fails the step: an empty dump is never a backup', async (_, commands, message) => {
    const file = nextFile();
    const error = await streamCommandsToFile(commands, file).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(TransientFailure);
    expect((error as TransientFailure).message).toBe(message);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('refuses to write over an existing file', async () => {
    const file = nextFile();
    await streamCommandsToFile([sh('echo first')], file);
    const error = await streamCommandsToFile([sh('echo second')], file).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(TransientFailure);
    expect((error as Error).message).toBe(`writing ${file} failed: EEXIST`);
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expect(existsSync(file)).toBe(true);
  });
});
