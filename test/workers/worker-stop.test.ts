import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-servers/free-port.js';
import { SHUTDOWN_GRACE_MS, SHUTDOWN_LIMIT_MS } from '../../src/workers/run-worker.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const pgDumpRunningFor = async (database: string) => (await execa('pgrep', ['-f', `pg_dump .*--dbname=${database}`], { reject: false })).exitCode === 0;

/** `ops worker` and `ops up` as real processes: a taken metrics port, and SIGTERM/SIGINT at any time. */
describe('worker start and stop', () => {
  let fixture: BackupFixture;
  let connection: Connection;
  let occupied: Server;
  let takenPort: number;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    connection = await Connection.connect({ address: testServers().temporalAddress });
    takenPort = await freePort();
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(takenPort, '0.0.0.0', resolve));
  });
  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    occupied?.close();
    await connection?.close();
    await fixture?.cleanup();
  });

  const env = () => ({ ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: `stop-${randomBytes(4).toString('hex')}` });
  const portMessage = () => `error: metrics.port ${takenPort} is in use (set metrics.port in the config, or OPS_METRICS_PORT / --metrics-port)`;

  it('worker with metrics.port taken (from the config): exit 2 at once, naming the port and how to change it', async () => {
    const configFile = join(fixture.dir, 'taken-port.yaml');
    const doc = parse(readFileSync(fixture.configFile, 'utf8'));
    doc.metrics = { port: takenPort };
    writeFileSync(configFile, stringify(doc));
    const started = Date.now();
    const result = await runCli(['--config', configFile, 'worker'], env());
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.trimEnd()).toBe(portMessage());
    expect(result.stdout).not.toContain('polling');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('worker --metrics-port and up with OPS_METRICS_PORT on a taken port: the same exit 2 and message', async () => {
    const worker = await runCli(['--config', fixture.configFile, 'worker', '--metrics-port', String(takenPort)], env());
    expect(worker.exitCode, worker.stderr).toBe(2);
    expect(worker.stderr.trimEnd()).toBe(portMessage());
    // TEMPORAL_ADDRESS set: up starts no dev server; no demo in this config.
    const up = await runCli(['--config', fixture.configFile, 'up', '--no-first-backup'], { ...env(), OPS_METRICS_PORT: String(takenPort) });
    expect(up.exitCode, up.stderr).toBe(2);
    expect(up.stderr.trimEnd()).toBe(portMessage());
    expect(up.stdout).not.toContain('ops is up');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('an idle worker ends at once on %s, exit 0', async (signal) => {
    const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue: `idle-${randomBytes(4).toString('hex')}` });
    workers.push(worker);
    const sent = Date.now();
    process.kill(worker.pid, signal);
    const { code } = await worker.exited;
    expect(code, worker.output()).toBe(0);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(worker.output()).toContain(`${signal}: stopping`);
  });

  it('SIGTERM during start-up (before the worker polls) ends it: it never starts polling', async () => {
    const child = execa('node', ['bin/ops.js', '--config', fixture.configFile, 'worker', '--no-metrics'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: env(),
      reject: false,
      all: true,
      buffer: false,
      // The worker must end on its own: no SIGKILL from execa after 5 s.
      forceKillAfterDelay: false,
    });
    let output = '';
    child.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // Printed before the workflow bundle is built, which takes seconds.
      await waitFor('the worker to start up', () => output.includes('alerts are off'), 60_000, 20);
      const sent = Date.now();
      child.kill('SIGTERM');
      const result = await child;
      // The workflow bundle being built is abandoned: an orderly stop, within the grace, never polling.
      expect(result.signal, output).toBeUndefined();
      expect(result.exitCode, output).toBe(0);
      expect(Date.now() - sent).toBeLessThan(SHUTDOWN_GRACE_MS);
      expect(output).toContain('SIGTERM: stopping');
      expect(output).toContain('stopped during start-up: the worker never polled');
      expect(output).not.toContain('polling task queue');
    } finally {
      child.kill('SIGKILL');
    }
  });

  // A terminal's Ctrl-C signals the foreground process group: the worker, but not the dump, which leads a group of its own.
  it.each([
    ['SIGTERM to the worker', 'SIGTERM', false],
    ["SIGINT to the worker's process group (Ctrl-C in a terminal)", 'SIGINT', true],
  ] as const)('a worker running a dump ends on %s within its shutdown limit, the dump with it', async (_, stopSignal, toGroup) => {
    const taskQueue = `busy-${randomBytes(4).toString('hex')}`;
    const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
    workers.push(worker);
    // The dump waits on this lock: the activity is surely running when the signal comes.
    await holdTableLock(fixture.pgDatabase, 'companies');
    const client = new Client({ connection });
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId: `stop-busy-${randomBytes(4).toString('hex')}`, args: [{ targets: [fixture.targets.postgres] }] });
    await waitFor('pg_dump to run', () => pgDumpRunningFor(fixture.pgDatabase), 60_000, 250);

    const sent = Date.now();
    process.kill(toGroup ? -worker.pid : worker.pid, stopSignal);
    const { code, signal } = await worker.exited;
    const took = Date.now() - sent;
    // An orderly stop: the dump got the grace, was cancelled (pg_dump killed), and the worker drained.
    expect({ code, signal }, worker.output()).toEqual({ code: 0, signal: null });
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS - 1_000);
    expect(took).toBeLessThan(SHUTDOWN_LIMIT_MS);
    expect(await pgDumpRunningFor(fixture.pgDatabase)).toBe(false);
    expect(worker.output()).toContain(`${stopSignal}: stopping`);
    await handle.terminate('test over');
  }, 150_000);
});
