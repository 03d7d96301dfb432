import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** `ops restore FILES_TARGET --to DIR` as a user runs it: a real snapshot, rsync, and the test sshd. */
describe('ops restore of a files snapshot', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  let snapshot: BackupEntry;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.files] }] });
    [snapshot] = await new BackupRepository(fixture.config.repository).list(fixture.targets.files);
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const restore = (...args: string[]) => runCli(['--config', fixture.configFile, 'restore', fixture.targets.files, '--latest', ...args], env);
  const sameAsSource = async (dir: string) => {
    expect(await readFile(join(dir, 'a.txt'))).toEqual(await readFile(join(fixture.filesDir, 'a.txt')));
    expect(await readFile(join(dir, 'nested', 'b.bin'))).toEqual(await readFile(join(fixture.filesDir, 'nested', 'b.bin')));
  };
  /** A directory holding an extra file the snapshot lacks and an a.txt with other content. */
  const lived = async (name: string) => {
    const dir = join(fixture.dir, name);
    await mkdir(dir);
    await writeFile(join(dir, 'extra.txt'), 'mine\n');
    await writeFile(join(dir, 'a.txt'), 'ALPHA\n');
    return dir;
  };

  it('into an empty directory: every file back, each checksum matching the manifest', async () => {
    const dir = join(fixture.dir, 'restored-empty');
    const result = await restore('--to', dir, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('  PASS files present: manifest 2, present 2\n');
    expect(result.stdout).toContain("  PASS checksums: 2 of 2 file(s) match the manifest's sha256\n");
    expect(result.stdout).toContain(`restored ${snapshot.id} to ${dir}\n`);
    await sameAsSource(dir);
    const report = result.stdout.match(/report (\S+\.md)$/m)![1]!;
    expect(await readFile(report, 'utf8')).toContain(`- Into: directory \`${dir}\` (files not in the snapshot kept)\n`);
  });

  it('into a directory with an extra file: kept without --delete, removed with --delete', async () => {
    const dir = await lived('restored-lived');
    const kept = await restore('--to', dir, '--wait');
    expect(kept.exitCode).toBe(0);
    await sameAsSource(dir);
    expect(await readFile(join(dir, 'extra.txt'), 'utf8')).toBe('mine\n');

    const deleted = await restore('--to', dir, '--delete', '--wait');
    expect(deleted.exitCode).toBe(0);
    expect(deleted.stdout).toContain(`restored ${snapshot.id} to ${dir}, files not in the snapshot deleted\n`);
    await sameAsSource(dir);
    expect(existsSync(join(dir, 'extra.txt'))).toBe(false);
  });

  it('--dry-run prints the itemized changes and changes nothing', async () => {
    const dir = await lived('restored-dry');
    const result = await restore('--to', dir, '--dry-run', '--delete');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`dry run of ${snapshot.id} to ${dir}: nothing was changed; rsync would make `);
    expect(result.stdout).toMatch(/^ {2}>fc[^ ]* a\.txt$/m);
    expect(result.stdout).toMatch(/^ {2}>f\+{9} nested\/b\.bin$/m);
    expect(result.stdout).toMatch(/^ {2}\*deleting +extra\.txt$/m);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('ALPHA\n');
    expect(await readFile(join(dir, 'extra.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'nested'))).toBe(false);
  });

  it('to ssh:// on the test sshd: restored there and checked there', async () => {
    const { sshd } = testServers();
    const dir = join(fixture.dir, 'restored-ssh', 'deeper');
    const to = `ssh://${sshd.user}@${sshd.host}:${sshd.port}${dir}`;
    const result = await restore('--to', to, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("  PASS checksums: 2 of 2 file(s) match the manifest's sha256\n");
    expect(result.stdout).toContain(`restored ${snapshot.id} to ${to}\n`);
    await sameAsSource(dir);
  });

  it.each<[string, string[], string]>([
    ['no --to', [], `target "<files>" is a files target: give --to DIR (a local directory or ssh://user@host:port/path)`],
    ['--into', ['--to', '/tmp/x', '--into', 'db'], 'target "<files>" is a files target: --into, --replace and --server are for databases; give --to DIR'],
    ['a bad ssh:// --to', ['--to', 'ssh://host-without-path'], '--to: expected ssh://[user@]host[:port]/absolute/path, got "ssh://host-without-path"'],
  ])('%s is bad usage: exit 2 naming it', async (_name, args, message) => {
    const result = await restore(...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`error: ${message.replace('<files>', fixture.targets.files)}`);
  });
});
