import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendLine } from '../../src/records/append-line.js';

describe('appendLine', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ops-append-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file and its directory, then appends', async () => {
    const file = join(dir, 'nested', 'log.jsonl');
    expect(await appendLine(file, 'a\n')).toBe(true);
    expect(await appendLine(file, 'b\n')).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
  });

  it('starts on a fresh line after a torn last line', async () => {
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, 'a\n{"torn');
    await appendLine(file, 'b\n');
    expect(readFileSync(file, 'utf8')).toBe('a\n{"torn\nb\n');
  });

  it('writes nothing when `unless` says the line is there already', async () => {
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, 'run-1\n');
    expect(await appendLine(file, 'run-1\n', (text) => text.split('\n').includes('run-1'))).toBe(false);
    expect(await appendLine(file, 'run-2\n', (text) => text.split('\n').includes('run-2'))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('run-1\nrun-2\n');
  });
});
