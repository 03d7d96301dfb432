import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/**
 * The "lost backup host" runbook for a files target: the nightly chain copied a snapshot to an
 * offsite directory; a fresh machine with only the config (an EMPTY repository, a new state dir)
 * restores it into a directory with `ops restore FILES_TARGET --to DIR`.
 */
describe('ops restore of a files snapshot from offsite, on a fresh machine with an empty repository', () => {
  let fixture: BackupFixture;
  let freshHost: TestWorker;
  let snapshot: BackupEntry;
  let freshConfigFile: string;
  let freshRepository: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    fixture = await makeBackupFixture({});
    const backupHost = await startTestWorker(fixture.config);
    try {
      await backupHost.client.workflow.execute(nightlyBackup, { taskQueue: backupHost.taskQueue, workflowId: backupHost.workflowId('nightly'), args: [{ targets: [fixture.targets.files] }] });
    } finally {
      await backupHost.stop();
    }
    [snapshot] = await new BackupRepository(fixture.config.repository).list(fixture.targets.files);

    const doc = parse(await readFile(fixture.configFile, 'utf8')) as Record<string, any>;
    freshRepository = join(fixture.dir, 'fresh-repo');
    await mkdir(freshRepository);
    doc.repository = freshRepository;
    doc.stateDir = join(fixture.dir, 'fresh-state');
    freshConfigFile = join(fixture.dir, 'fresh.config.yaml');
    await writeFile(freshConfigFile, stringify(doc));
    freshHost = await startTestWorker(loadConfig(freshConfigFile, fixture.env));
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: freshHost.taskQueue };
  });
  afterAll(async () => {
    await freshHost?.stop();
    await fixture?.cleanup();
  });

  const restore = (...args: string[]) => runCli(['--config', freshConfigFile, 'restore', fixture.targets.files, '--latest', ...args], env);
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
  const untouched = async (dir: string) => {
    expect((await readdir(dir)).sort()).toEqual(['a.txt', 'extra.txt']);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('ALPHA\n');
    expect(await readFile(join(dir, 'extra.txt'), 'utf8')).toBe('mine\n');
  };
  const workDirs = () => readdir(join(fixture.dir, 'fresh-state', 'restores'));

  it('--from offsite into an empty directory: fetched, every file confirmed, restored and checked; the repository stays empty', async () => {
    const dir = join(fixture.dir, 'restored-empty');
    const result = await restore('--from', 'offsite', '--to', dir, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`  PASS fetched copy: 2 file(s) match the manifest's sha256 (fetched from ${fixture.offsiteDir})\n`);
    expect(result.stdout).toContain('  PASS files present: manifest 2, present 2\n');
    expect(result.stdout).toContain("  PASS checksums: 2 of 2 file(s) match the manifest's sha256\n");
    expect(result.stdout).toContain(`restored ${snapshot.id} (fetched from ${fixture.offsiteDir}) to ${dir}\n`);
    await sameAsSource(dir);
    expect(await readdir(freshRepository)).toEqual(['.restores']);
    const report = result.stdout.match(/report (\S+\.md)$/m)![1]!;
    expect(await readFile(report, 'utf8')).toContain(`- Backup: \`${snapshot.id}\` (--latest), from the offsite copy at ${fixture.offsiteDir}\n`);
    // The fetched copy lived in the restore step's own work dir, removed when the step ended.
    expect(await workDirs()).toEqual([]);
  });

  it('with no --from, an empty repository falls back to offsite', async () => {
    const dir = join(fixture.dir, 'restored-fallback');
    const result = await restore('--to', dir, '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`restored ${snapshot.id} (fetched from ${fixture.offsiteDir}) to ${dir}\n`);
    await sameAsSource(dir);
  });

  it('--dry-run from offsite prints the itemized changes and changes nothing', async () => {
    const dir = await lived('restored-dry');
    const result = await restore('--from', `offsite:${fixture.offsiteDir}`, '--to', dir, '--dry-run', '--delete');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`dry run of ${snapshot.id} (fetched from ${fixture.offsiteDir}) to ${dir}: nothing was changed; rsync would make `);
    expect(result.stdout).toMatch(/^ {2}>fc[^ ]* a\.txt$/m);
    expect(result.stdout).toMatch(/^ {2}>f\+{9} nested\/b\.bin$/m);
    expect(result.stdout).toMatch(/^ {2}\*deleting +extra\.txt$/m);
    await untouched(dir);
    expect(await workDirs()).toEqual([]);
  });

  it('a file planted in the offsite copy, not in the manifest, is refused before anything is written', async () => {
    const planted = join(fixture.offsiteDir, fixture.targets.files, snapshot.stamp, snapshot.manifest.artifact, 'planted.sh');
    await writeFile(planted, 'echo owned\n');
    try {
      const dir = await lived('restored-planted');
      const result = await restore('--from', 'offsite', '--to', dir, '--wait');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`${snapshot.id} fetched from ${fixture.offsiteDir}: not in the manifest: planted.sh; nothing was restored to ${dir}`);
      await untouched(dir);
      expect(await workDirs()).toEqual([]);
    } finally {
      await rm(planted);
    }
  });

  // Last: it damages the offsite copy.
  it('a flipped byte in the offsite copy fails before anything is written, naming the file; the directory is untouched', async () => {
    await flipBytesInMiddle(join(fixture.offsiteDir, fixture.targets.files, snapshot.stamp, snapshot.manifest.artifact, 'nested', 'b.bin'));
    const dir = await lived('restored-bad');
    const result = await restore('--from', 'offsite', '--to', dir, '--delete', '--wait');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${snapshot.id} fetched from ${fixture.offsiteDir}: 1 of 2 differ from the manifest: nested/b.bin; nothing was restored to ${dir}`);
    await untouched(dir);
    expect(existsSync(join(dir, 'nested'))).toBe(false);
    expect(await workDirs()).toEqual([]);
  });
});
