import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stampOf } from '../../src/core/backup-id.js';
import type { VerifyRecord } from '../../src/core/backup-record.js';
import { backupWorldForTest, runNightly, runVerifyExpectingFailure } from '../support/backup-world.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { waitFor } from '../support/wait-for.js';

const onlyFilesTarget = (doc: Record<string, any>) => {
  doc.databases = [];
};

describe('file snapshots', () => {
  it('are incremental: a file unchanged since the last snapshot is the same inode as there (a hard link), a changed one is a new file', async () => {
    const world = await backupWorldForTest({ edit: onlyFilesTarget });
    const { files } = world.fixture.targets;
    const first = await runNightly(world);
    const [firstEntry] = await world.repository.list(files);
    expect(firstEntry!.id).toBe(first.result.targets[0]!.backupId);
    const snapshotOf = (dir: string, path: string) => join(dir, firstEntry!.manifest.artifact, path);
    // Read now: the second night's retention may remove this snapshot (one per day), though only after the second is made.
    const unchangedBefore = await stat(snapshotOf(firstEntry!.dir, 'nested/b.bin'));
    const changedBefore = await stat(snapshotOf(firstEntry!.dir, 'a.txt'));

    await writeFile(join(world.fixture.filesDir, 'a.txt'), 'alpha, changed\n');
    // Backup ids are to the second: a run in the same second as the first would find the first's backup and return it.
    await waitFor('the next second', () => stampOf(new Date()) !== firstEntry!.stamp, 2_000, 20);
    const second = await runNightly(world);
    const secondEntry = (await world.repository.list(files)).find((e) => e.id === second.result.targets[0]!.backupId)!;

    expect(secondEntry.manifest.linkDest).toBe(join(firstEntry!.dir, firstEntry!.manifest.artifact));
    const unchangedAfter = await stat(snapshotOf(secondEntry.dir, 'nested/b.bin'));
    expect([unchangedAfter.dev, unchangedAfter.ino]).toEqual([unchangedBefore.dev, unchangedBefore.ino]);
    const changedAfter = await stat(snapshotOf(secondEntry.dir, 'a.txt'));
    expect(changedAfter.ino).not.toBe(changedBefore.ino);
    expect(await readFile(snapshotOf(secondEntry.dir, 'a.txt'), 'utf8')).toBe('alpha, changed\n');
    expect(secondEntry.verify?.status).toBe('passed');
  });

  it('a damaged file fails verify, by the workflow and by `ops verify`, naming the file', async () => {
    const world = await backupWorldForTest({ edit: onlyFilesTarget });
    const { files } = world.fixture.targets;
    await runNightly(world);
    const [entry] = await world.repository.list(files);
    expect(entry!.verify?.status).toBe('passed');
    await flipBytesInMiddle(join(entry!.dir, entry!.manifest.artifact, 'nested', 'b.bin'));

    const failure = await runVerifyExpectingFailure(world, entry!.id);
    expect(failure.type).toBe('VerifyFailed');
    expect(failure.message).toBe(`${entry!.id}: checksum differs for nested/b.bin`);
    const [record] = failure.details as [VerifyRecord];
    expect(record.reasons).toEqual(['checksum differs for nested/b.bin']);
    const onDisk = JSON.parse(await readFile(join(entry!.dir, 'verify.json'), 'utf8')) as VerifyRecord;
    expect(onDisk).toMatchObject({ status: 'failed', reasons: ['checksum differs for nested/b.bin'] });

    const env = { ...world.fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: world.worker.taskQueue };
    const cli = await runCli(['--config', world.fixture.configFile, 'verify', entry!.id, '--wait'], env);
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr).toMatch(new RegExp(`^error: ${entry!.id}: checksum differs for nested/b\\.bin$`, 'm'));
  });
});
