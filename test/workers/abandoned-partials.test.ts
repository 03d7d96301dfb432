import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { workflowIds } from '../../src/temporal/names.js';
import { removeAbandonedPartials } from '../../src/workers/abandoned-partials.js';
import { namesIn } from '../support/backup-world.js';
import { testServers } from '../support/servers.js';

describe('removeAbandonedPartials (a worker starting up)', () => {
  it('removes the partials of a target no backup runs for, and leaves those of a running one (another worker’s live dump)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ops-partials-'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    const id = randomBytes(3).toString('hex');
    const [idle, busy] = [`idle-${id}`, `busy-${id}`];
    const partial = '.partial-20261207T010000Z-1';
    for (const target of [idle, busy]) await mkdir(join(root, target, partial), { recursive: true });

    const connection = await Connection.connect({ address: testServers().temporalAddress });
    onTestFinished(() => connection.close());
    const client = new Client({ connection });
    // The busy target's lock: its backup run, on a task queue no worker polls, so it stays running.
    const running = await client.workflow.start('backupTarget', { taskQueue: `nobody-${id}`, workflowId: workflowIds.backupTarget(busy), args: [{ target: busy }] });
    onTestFinished(async () => {
      await running.terminate('the test is done with it');
    });

    expect(await removeAbandonedPartials(new BackupRepository(root), client)).toEqual([join(idle, partial)]);
    expect(await namesIn(join(root, idle))).toEqual([]);
    expect(await namesIn(join(root, busy))).toEqual([partial]);
  });
});
