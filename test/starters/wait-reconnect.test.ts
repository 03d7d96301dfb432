import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-servers/free-port.js';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { OPS_BIN } from '../support/run-cli.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface WaitingCli {
  output(): string;
  done: ResultPromise;
}

/**
 * `ops backup --wait` against a Temporal dev server of this file's own, persisted in a db file, so
 * it can be stopped and started again on the same port and file in the middle of a run, as a user
 * restarting `ops up` or an operator restarting Temporal would.
 */
describe('--wait across a Temporal restart', () => {
  let fixture: BackupFixture;
  let dbFile: string;
  let port: number;
  let server: DevServer | undefined;
  const workers: WorkerProcess[] = [];
  const clis: ResultPromise[] = [];

  const startServer = async () => {
    server = await startDevServer({ dbFile, port, headless: true });
  };
  const stopServer = async () => {
    await server?.stop();
    server = undefined;
  };

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    dbFile = join(fixture.dir, 'temporal', 'temporal.db');
    port = await freePort();
    await startServer();
  });
  afterAll(async () => {
    for (const cli of clis) cli.kill('SIGKILL');
    for (const worker of workers) await worker.kill();
    await stopServer();
    await fixture?.cleanup();
  });

  const address = () => `127.0.0.1:${port}`;
  function waitingBackup(taskQueue: string, env: Record<string, string> = {}): WaitingCli {
    const done = execa('node', [OPS_BIN, '--config', fixture.configFile, 'backup', '--target', fixture.targets.postgres, '--wait'], {
      env: { ...fixture.env, TEMPORAL_ADDRESS: address(), OPS_TASK_QUEUE: taskQueue, OPS_LOG_LEVEL: 'WARN', ...env },
      reject: false,
      stdin: 'ignore',
      all: true,
      buffer: false,
    });
    clis.push(done);
    let output = '';
    done.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return { output: () => output, done };
  }

  it('reconnects once, keeps waiting on the same run and exits 0 with its real outcome', async () => {
    const taskQueue = `reconnect-${randomBytes(4).toString('hex')}`;
    workers.push(await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue, temporalAddress: address() }));
    // The dump waits on this lock, so the run is surely in the middle of its dump while Temporal is down.
    const release = await holdTableLock(fixture.pgDatabase, 'companies');
    const cli = waitingBackup(taskQueue);
    await waitFor('the dump to run', () => /› dump\s+running/.test(cli.output()), 60_000);

    await stopServer();
    const stoppedAt = Date.now();
    await waitFor('the CLI to notice', () => cli.output().includes(`lost the connection to Temporal at ${address()}; reconnecting…`), 30_000);
    // Down for longer than the SDK's own retries of the result's long poll (about 20 s), which
    // alone ride out a short restart: before the fix the wait ended here, exit 1, with
    // "Failed to get Workflow execution history" while the run went on to pass.
    await sleep(Math.max(0, stoppedAt + 25_000 - Date.now()));
    await startServer();
    await waitFor('the CLI to reconnect', () => cli.output().includes(`reconnected to Temporal at ${address()}`), 60_000);
    await release();

    const result = await cli.done;
    const output = cli.output();
    expect(result.exitCode, output).toBe(0);
    expect(output).toContain('backup finished: 1 target(s) OK');
    expect(output.match(/lost the connection to Temporal/g)).toHaveLength(1);
    expect(output.match(/reconnected to Temporal/g)).toHaveLength(1);
    expect(output).not.toContain('Failed to get Workflow execution history');
    // The steps after the restart are the same run's, in the aligned columns with the time since its start.
    expect(output).toMatch(new RegExp(`^ {2}\\d\\d:\\d\\d {2}${fixture.targets.postgres} › verify {2,}done \\(\\d+(\\.\\d)?s\\)$`, 'm'));
  }, 180_000);

  it('past the reconnect limit it exits 4 naming the address, the run and where to look it up', async () => {
    // Nobody polls this queue: the run waits, so only the lost server can end the wait.
    const cli = waitingBackup(`unpolled-${randomBytes(4).toString('hex')}`, { OPS_WAIT_RECONNECT_SECONDS: '4' });
    await waitFor('the run to start', () => /^started backup-\S+-manual$/m.test(cli.output()), 60_000);
    const workflowId = /^started (backup-\S+-manual)$/m.exec(cli.output())![1]!;

    await stopServer();
    const stoppedAt = Date.now();
    const result = await cli.done;
    const waited = Date.now() - stoppedAt;

    expect(result.exitCode, cli.output()).toBe(4);
    const errorLines = cli.output().split('\n').filter((line) => line.startsWith('error:'));
    const lookup = `temporal workflow describe --workflow-id ${workflowId}   (no Web UI link: set OPS_TEMPORAL_UI_URL to the UI's base URL)`;
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(new RegExp(`^error: Temporal at ${escape(address())} unreachable for \\d+s: the outcome of ${escape(workflowId)} is unknown \\(it may still be running\\); look it up later: ${escape(lookup)}$`));
    expect(cli.output()).toContain(`lost the connection to Temporal at ${address()}; reconnecting…`);
    // The limit (4 s), the time to notice, the probes' backoff and the SDK's retries of the pending call ending.
    expect(waited).toBeLessThan(45_000);
    await startServer();
  }, 120_000);
});
