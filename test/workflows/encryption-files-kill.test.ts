import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { encryptionFor, makeAgeKey } from '../support/age-keys.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { testServers } from '../support/servers.js';
import { filesUnder } from '../support/stored-files.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/** Enough files that gathering, hashing and archiving them takes a moment to catch the worker in. */
const FILE_COUNT = 2_000;

/**
 * `kill -9` of the worker while a sealed files snapshot has its plaintext tree gathered: the
 * repository never holds that tree (it is staged in the worker's state dir), and the next worker
 * start removes the dead worker's staging though the backup's run is still open.
 */
describe('a worker killed while it seals a files snapshot', () => {
  let fixture: BackupFixture;
  let keysDir: string;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    keysDir = await mkdtemp(join(testServers().scratchRoot, 'age-kill-'));
    const key = await makeAgeKey(keysDir, 'ops');
    fixture = await makeBackupFixture({
      offsite: 'none',
      edit: (doc) => {
        doc.databases = [];
        doc.backup.encryption = encryptionFor([key], key);
      },
    });
    const many = join(fixture.filesDir, 'customers');
    await mkdir(many);
    for (let i = 0; i < FILE_COUNT; i++) await writeFile(join(many, `invoice-${i}.pdf`), randomBytes(16_384));
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await fixture?.cleanup();
    await rm(keysDir, { recursive: true, force: true });
  });

  it('leaves no plaintext in the repository, and the next worker start removes the staging it left', async () => {
    const client = new Client({ connection: connection! });
    const taskQueue = `seal-kill-${randomBytes(4).toString('hex')}`;
    const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
    workers.push(worker);
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId: `seal-kill-${randomBytes(4).toString('hex')}`, args: [{ targets: [fixture.targets.files] }] });
    try {
      const { repository, stateDir } = fixture.config;
      const plaintextIn = async (dir: string) => (await filesUnder(dir)).filter((file) => /^(invoice-\d+\.pdf|a\.txt|b\.bin)$/.test(basename(file)));
      const gathered = async () => [...(await plaintextIn(repository)), ...(await plaintextIn(stateDir))];
      await waitFor('the snapshot tree gathered', async () => (await gathered()).length >= FILE_COUNT, 120_000, 20);
      await worker.killAlone();
      // rsync, tar, zstd and age die with the worker (pdeathsig): what they left is what stays.
      expect(await plaintextIn(repository)).toEqual([]);
      expect((await plaintextIn(stateDir)).length).toBeGreaterThan(0);

      // The backup's run is still open (its step waits for the heartbeat timeout); a new worker starts meanwhile.
      const next = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue: `${taskQueue}-next` });
      workers.push(next);
      expect(next.output()).toContain('removed the plaintext staging of sealed snapshots left by a dead worker');
      expect(await gathered()).toEqual([]);
    } finally {
      await handle.terminate('test over');
    }
  }, 300_000);
});
