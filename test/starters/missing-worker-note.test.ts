import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { OPS_BIN } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `--wait` on a run no worker takes: after 10 s without a step change it says which task queue
 * nobody polls, once, instead of looking hung. Real dev server, real CLI; the workers are real too.
 */
describe('--wait names the task queue no worker polls', () => {
  let fixture: BackupFixture;
  let deployOnly: TestWorker | undefined;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    connection = await Connection.connect({ address: testServers().temporalAddress });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await deployOnly?.stop();
    await connection?.close();
    await fixture?.cleanup();
  });

  /** `ops backup --target files --wait` on `taskQueue` until the note shows; then the CLI is stopped and the run terminated. */
  const noteOf = async (taskQueue: string): Promise<string> => {
    const env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: taskQueue, OPS_LOG_LEVEL: 'WARN' };
    const cli = execa('node', [OPS_BIN, '--config', fixture.configFile, 'backup', '--target', fixture.targets.files, '--wait'], { env, reject: false, stdin: 'ignore' });
    let stdout = '';
    cli.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      await waitFor('the note on a run no worker takes', () => stdout.includes('waiting: '), 60_000, 250).catch((err: Error) => {
        throw new Error(`${err.message}; the CLI printed:\n${stdout}`);
      });
    } finally {
      cli.kill('SIGTERM');
      await cli;
    }
    const workflowId = /^started (\S+)$/m.exec(stdout)![1]!;
    await client.workflow.getHandle(workflowId).terminate('test: nobody was meant to take it');
    return stdout.split('\n').find((line) => line.includes('waiting: '))!.trim();
  };

  it('no worker at all: the workflow queue; only a deploy-role worker: the backup steps\' queue', async () => {
    const namespace = 'default';
    const none = `none-${randomBytes(3).toString('hex')}`;
    expect(await noteOf(none)).toBe(`waiting: no worker polls task queue "${none}" (every worker polls it: ops worker) in namespace ${namespace}; the run goes on once one does`);

    const deployQueue = `deploy-${randomBytes(3).toString('hex')}`;
    deployOnly = await startTestWorker(fixture.config, { taskQueue: deployQueue, role: 'deploy' });
    expect(await noteOf(deployQueue)).toBe(`waiting: no worker polls task queue "${deployQueue}-backup" (its steps: ops worker --role backup, or --role all) in namespace ${namespace}; the run goes on once one does`);
  }, 120_000);
});
