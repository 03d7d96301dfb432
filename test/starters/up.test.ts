import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PORTS } from '../../src/demo/demo-ports.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { OPS_BIN, runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';

const EXAMPLE = resolve(import.meta.dirname, '../../ops.config.example.yaml');

/**
 * The README's main command end to end: `ops up` on a copy of the example config starts its own
 * Temporal dev server with the Web UI, the demo PostgreSQL and MariaDB (on free ports, since the
 * defaults are taken here), the worker and /metrics, and its first backup of every target completes and verifies.
 */
describe('ops up (the main command) on the example config', () => {
  const dir = mkdtempSync(join(testServers().scratchRoot, 'up-'));
  chmodSync(dir, 0o755);
  let up: ResultPromise | undefined;

  const occupied: Server[] = [];

  afterAll(async () => {
    up?.kill('SIGINT');
    await up?.catch(() => undefined);
    for (const server of occupied) server.close();
  });

  /** Listens on the port for the rest of the file; a port something else already listens on is taken all the same. */
  async function occupy(port: number): Promise<void> {
    const server = createServer();
    const listened = await new Promise<boolean>((done, fail) => {
      server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? done(false) : fail(err)));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (listened) occupied.push(server);
  }

  it('brings everything up and the first backup verifies', async () => {
    cpSync(resolve(import.meta.dirname, '../../examples'), join(dir, 'examples'), { recursive: true });
    const doc = parse(readFileSync(EXAMPLE, 'utf8'));
    const metricsPort = await freePort();
    doc.metrics.port = metricsPort;
    const configFile = join(dir, 'ops.config.yaml');
    writeFileSync(configFile, stringify(doc));
    // No OPS_DEMO_*_PORT, and the default ports taken: up picks free ones before the config loads.
    for (const port of Object.values(DEMO_PORTS)) await occupy(port);
    const env = { OPS_TASK_QUEUE: `up-${Date.now()}`, OPS_LOG_LEVEL: 'WARN' };

    let output = '';
    up = execa('node', [OPS_BIN, '--config', configFile, 'up'], { env, reject: false, stdin: 'ignore', all: true, buffer: false });
    up.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await waitFor(() => /first backup\s+http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/backup-\S+-first/.test(output), 120_000, () => output);
    expect(output).toMatch(/Temporal Web UI\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/schedules\s+created backup-watchdog, monthly-drill, nightly-backup$/m);
    const uiUrl = /Temporal Web UI\s+(\S+)/.exec(output)![1]!;
    expect((await fetch(uiUrl)).status).toBe(200);
    const pgPort = Number(/demo PostgreSQL\s+127\.0\.0\.1:(\d+)/.exec(output)![1]);
    const myPort = Number(/demo MariaDB\s+127\.0\.0\.1:(\d+)/.exec(output)![1]);
    expect([pgPort, myPort]).not.toContain(DEMO_PORTS.postgres);
    expect([pgPort, myPort]).not.toContain(DEMO_PORTS.mariadb);
    // Remembered, so the persisted demo data dirs come back on the same ports next time.
    expect(JSON.parse(readFileSync(join(dir, '.ops/demo/ports.json'), 'utf8'))).toEqual({ postgres: pgPort, mariadb: myPort });

    type Listed = { target: string; verify: string; offsite: string };
    let backups: Listed[] = [];
    await waitFor(async () => {
      const list = await runCli(['--config', configFile, 'backups', 'list', '--json'], env);
      backups = list.exitCode === 0 ? (JSON.parse(list.stdout) as Listed[]) : [];
      return backups.length === 3 && backups.every((b) => b.verify === 'passed');
    }, 120_000, () => output);
    expect(backups.map((b) => b.target).sort()).toEqual(['crm-db', 'demo-files', 'shop-db']);
    expect(backups.every((b) => b.offsite === 'copied')).toBe(true);

    // The README's demo restore: onto the demo server as its admin (the targets' reader may not create a database).
    const restored = await runCli(['--config', configFile, 'restore', 'crm-db', '--latest', '--server', 'demo-pg', '--wait'], env);
    expect([restored.exitCode, restored.stderr], restored.stdout).toEqual([0, '']);
    expect(restored.stdout).toMatch(/restored crm-db-\d{8}T\d{6}Z into new database demo_app_restored_\d{8}t\d{6}z on postgres:\/\/ops_admin@127\.0\.0\.1:\d+\//);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^ops_last_db_dump_age_minutes\{target="crm-db"\} \d/m);
    // The report is the chain's last step, a moment after the last verify is recorded.
    const report = join(dir, '.ops/reports/backup-report-latest.md');
    await waitFor(() => existsSync(report) && readFileSync(report, 'utf8').includes('Nightly backup: OK'), 60_000, () => output);

    up.kill('SIGINT');
    const exit = await up;
    expect(exit.exitCode).toBe(0);
    const leftovers = await execa('pgrep', ['-f', join(dir, '.ops/demo')], { reject: false });
    expect(leftovers.stdout).toBe('');
    up = undefined;
  });

  it('after a kill -9, the next up stops what the killed one left and comes back on the same ports', async () => {
    const configFile = join(dir, 'ops.config.yaml');
    const env = { OPS_TASK_QUEUE: `up-${Date.now()}`, OPS_LOG_LEVEL: 'WARN' };
    const start = async () => {
      let output = '';
      up = execa('node', [OPS_BIN, '--config', configFile, 'up', '--no-first-backup'], { env, reject: false, stdin: 'ignore', all: true, buffer: false });
      up.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => /schedules\s+/.test(output), 120_000, () => output);
      const ports = ['Temporal dev server', 'demo PostgreSQL', 'demo MariaDB'].map((name) => new RegExp(`${name}\\s+127\\.0\\.0\\.1:(\\d+)`).exec(output)?.[1]);
      return { output: () => output, ports };
    };
    const first = await start();
    expect(first.ports.every((port) => port !== undefined)).toBe(true);
    up!.kill('SIGKILL');
    await up;
    // The dev server died with it (its parent-death signal); the demo servers, detached as pg_ctl's are, did not.
    await waitFor(async () => (await execa('pgrep', ['-f', join(dir, '.ops/temporal.db')], { reject: false })).stdout === '', 10_000, first.output);
    expect((await execa('pgrep', ['-f', join(dir, '.ops/demo')], { reject: false })).stdout).not.toBe('');

    const second = await start();
    expect(second.output()).toContain(`stopped a demo PostgreSQL left running on ${join(dir, '.ops/demo/pg')}`);
    expect(second.output()).toContain(`stopped a demo MariaDB left running on ${join(dir, '.ops/demo/my')}`);
    expect(second.ports).toEqual(first.ports);
    up!.kill('SIGINT');
    expect((await up!).exitCode).toBe(0);
    up = undefined;
    expect((await execa('pgrep', ['-f', join(dir, '.ops')], { reject: false })).stdout).toBe('');
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out; output so far:\n${context()}`);
}
