import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStamp } from '../../src/core/backup-id.js';
import { backupWorldForTest, namesIn, runNightly } from '../support/backup-world.js';
import { waitFor } from '../support/wait-for.js';

const onlyFilesTarget = (doc: Record<string, any>) => {
  doc.databases = [];
};

describe('nightlyBackup when offsite retention cannot run', () => {
  it('succeeds, with a retention error for the target in its result and its report', async () => {
    const world = await backupWorldForTest({ offsite: 'local', edit: onlyFilesTarget });
    const { files } = world.fixture.targets;
    const targetOffsite = join(world.fixture.offsiteDir, files);

    const run = runNightly(world);
    // The copy's last step on the offsite side is the rename into place; retention comes after the
    // verify, the run history and the child's end. In between, the target's offsite directory
    // becomes a regular file, which no retention can list.
    await waitFor('the offsite copy in place', async () => (await namesIn(targetOffsite)).some(isStamp), 60_000, 5);
    await rename(targetOffsite, `${targetOffsite}.moved`);
    await writeFile(targetOffsite, 'not a directory');
    const { result } = await run;

    expect(result.targets).toEqual([{ target: files, backupId: expect.any(String) }]);
    expect(result.retention).toEqual([
      { target: files, kept: 1, deleted: [], offsiteDeleted: [], offsiteError: expect.stringContaining(`offsite retention of ${files} at ${world.fixture.offsiteDir} failed: mkdir failed (exit 1): `) },
    ]);
    const [entry] = await world.repository.list(files);
    expect(entry!.offsite?.status).toBe('copied');
    expect(entry!.verify?.status).toBe('passed');
    const report = await readFile(join(world.fixture.config.reports, 'backup-report-latest.md'), 'utf8');
    expect(report).toContain('# Nightly backup: OK');
    expect(report).toContain(`- Offsite retention: **FAILED**: ${result.retention[0]!.offsiteError}`);
  });
});
