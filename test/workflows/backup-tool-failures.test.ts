import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { longSteps } from '../../src/workflows/activity-options.js';
import { activityRuns } from '../support/activity-history.js';
import { backupWorldForTest, namesIn, runNightlyExpectingFailure } from '../support/backup-world.js';
import { testServers } from '../support/servers.js';
import { onlyPostgresTarget } from '../support/slack-alert-fixture.js';

/**
 * Puts a stand-in `pg_dump` first on PATH for the rest of the test. The test's worker runs in this
 * process, so its dump runs the stand-in; the database connection and row counts stay real.
 */
async function standInPgDump(script: string): Promise<void> {
  const dir = await mkdtemp(join(testServers().scratchRoot, 'pg-dump-stand-in-'));
  await writeFile(join(dir, 'pg_dump'), `#!/bin/sh\n${script}\n`);
  await chmod(join(dir, 'pg_dump'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  onTestFinished(async () => {
    process.env.PATH = path;
    await rm(dir, { recursive: true, force: true });
  });
}

describe('a dump tool that fails or writes nothing', () => {
  it.each([
    ['exits non-zero after writing some output', 'echo x; exit 3', 'CommandFailed', /: pg_dump failed \(exit 3\): /],
    ['exits 0 without output', 'exit 0', 'TransientFailure', /: pg_dump produced no output$/],
  ])('%s: the dump fails on every attempt, naming the target and the cause, and leaves nothing under the backup name nor a partial', async (_, script, type, cause) => {
    const world = await backupWorldForTest({ edit: onlyPostgresTarget });
    const { postgres } = world.fixture.targets;
    await standInPgDump(script);

    const { failure } = await runNightlyExpectingFailure(world);

    expect(failure.message).toMatch(new RegExp(`^1 of 1 failed: ${postgres}${cause.source}`));
    const [dump, ...more] = await activityRuns(world.worker.client, workflowIds.backupTarget(postgres), 'dumpTarget');
    expect(more).toEqual([]);
    expect(dump).toMatchObject({ outcome: 'failed', attempt: longSteps.retry!.maximumAttempts, failure: { type } });
    expect(await namesIn(join(world.fixture.config.repository, postgres))).toEqual([]);
    expect(await world.repository.list()).toEqual([]);
  });
});
