import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDeadStaging, stagingRoot, startStaging } from '../../src/activities/backup/snapshot-staging.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'ops-staging-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

/** A pid no process holds any more: one that ran and was reaped. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await once(child, 'exit');
  return child.pid!;
}

describe('the staging dirs of sealed snapshots, named for the process that owns them', () => {
  it('removes the dirs of processes that are gone and of no process, keeps the live ones', async () => {
    const root = stagingRoot(stateDir);
    const dead = `${await deadPid()}.files-a.partial-20261207T000000Z-1`;
    const live = `${process.pid}.files-b.partial-20261207T000000Z-1`;
    const init = '1.files-c.partial-20261207T000000Z-1';
    for (const name of [dead, live, init, 'no-owner']) {
      await mkdir(join(root, name, 'nested'), { recursive: true });
      await writeFile(join(root, name, 'nested', 'invoice.pdf'), 'plaintext');
    }
    expect((await removeDeadStaging(stateDir)).sort()).toEqual([dead, 'no-owner'].sort());
    // pid 1 always runs; for a user other than root kill(1, 0) is refused (EPERM), which still says it runs.
    expect((await readdir(root)).sort()).toEqual([init, live].sort());
  });

  it('a new staging dir is private, empty, and this process\'s', async () => {
    const dir = await startStaging(stateDir, 'files-a.partial-20261207T000000Z-2');
    expect(dir).toBe(join(stagingRoot(stateDir), `${process.pid}.files-a.partial-20261207T000000Z-2`));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual([]);
  });

  it('nothing to remove when no snapshot was ever staged', async () => {
    expect(await removeDeadStaging(stateDir)).toEqual([]);
  });
});
