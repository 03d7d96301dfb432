import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../src/local-servers/free-port.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { backupWorldForTest, runNightly } from '../support/backup-world.js';
import { processesRunning } from '../support/processes.js';
import { rowCounts } from '../support/restored-databases.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { holdTableLock } from '../support/table-lock.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

type ConfigDoc = Record<string, any>;

/**
 * Both targets reached only through an ssh local forward on the test sshd: their urls name the
 * database as the ssh host sees it (127.0.0.1 and the server's port, here the same machine).
 */
function viaTestSshd(port = testServers().sshd.port) {
  const { sshd } = testServers();
  return (doc: ConfigDoc) => {
    for (const database of doc.databases) database.via = `ssh://${sshd.user}@${sshd.host}:${port}`;
  };
}

function isAlive(pid: number): Promise<boolean> {
  return readFile(`/proc/${pid}/stat`, 'utf8').then(
    (stat) => !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z'),
    () => false,
  );
}

describe('databases reached through an ssh tunnel (via)', () => {
  it('the chain dumps both targets through the tunnel, the verify-restores pass and the row counts are the source\'s', async () => {
    const world = await backupWorldForTest({ edit: viaTestSshd() });
    const { fixture } = world;
    const { result } = await runNightly(world, { targets: [fixture.targets.postgres, fixture.targets.mysql] });

    expect(result.targets.map((t) => t.target)).toEqual([fixture.targets.postgres, fixture.targets.mysql]);
    for (const [target, engine, database] of [
      [fixture.targets.postgres, 'postgres', fixture.pgDatabase],
      [fixture.targets.mysql, 'mysql', fixture.myDatabase],
    ] as const) {
      const [entry, ...more] = await world.repository.list(target);
      expect(more).toEqual([]);
      expect(entry!.manifest.tables).toEqual(await rowCounts(engine, database));
      expect(entry!.manifest.tables!.length).toBeGreaterThan(0);
      expect(entry!.verify?.status).toBe('passed');
      expect(entry!.manifest.reachedThrough).toBe(`ssh tunnel via ssh://${testServers().sshd.user}@127.0.0.1:${testServers().sshd.port}`);
      expect(entry!.manifest.rowCountConsistency).toBe(engine === 'postgres' ? 'same-snapshot' : 'global-read-lock');
    }
    // Every tunnel ended with its activity.
    expect(await processesRunning('ssh', 'ExitOnForwardFailure=yes').then((found) => found.filter((p) => p.ppid === process.pid))).toEqual([]);
  }, 180_000);

  it('config check --connect reaches through the same tunnel, and names the via address when the ssh host does not answer', async () => {
    const reachable = await makeBackupFixture({ offsite: 'none', edit: viaTestSshd() });
    onTestFinished(() => reachable.cleanup());
    const ok = await runCli(['--config', reachable.configFile, 'config', 'check', '--connect'], reachable.env);
    expect(ok.exitCode).toBe(0);
    const { sshd } = testServers();
    expect(ok.stdout).toContain(`  ${reachable.targets.postgres}: OK as postgres://reader_${reachable.id}@127.0.0.1:${testServers().postgres.port}/${reachable.pgDatabase} (ssh tunnel via ssh://${sshd.user}@127.0.0.1:${sshd.port})`);
    expect(ok.stdout).toContain(`  ${reachable.targets.mysql}: OK as mysql://`);

    const deadPort = await freePort();
    const unreachable = await makeBackupFixture({ offsite: 'none', edit: viaTestSshd(deadPort) });
    onTestFinished(() => unreachable.cleanup());
    const failed = await runCli(['--config', unreachable.configFile, 'config', 'check', '--connect'], unreachable.env);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain(`  ${unreachable.targets.postgres}: ssh tunnel via ssh://${sshd.user}@127.0.0.1:${deadPort}: cannot reach 127.0.0.1:${deadPort} (`);
    expect(failed.stderr.trim()).toBe('error: 2 of 2 database targets would fail their dump (listed above)');
  }, 120_000);
});

describe('a worker killed with kill -9 while it dumps through a tunnel', () => {
  let fixture: BackupFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none', edit: viaTestSshd() });
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.kill();
    await connection?.close();
    await fixture?.cleanup();
  });

  it('pg_dump connects to the tunnel\'s port, and the tunnel dies with the worker: no ssh left in /proc', async () => {
    const client = new Client({ connection: connection! });
    const taskQueue = `tunnel-crash-${randomBytes(4).toString('hex')}`;
    // pg_dump waits for this lock, so the dump is still running when the worker is killed.
    await holdTableLock(fixture.pgDatabase, 'companies');
    const worker = await startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue });
    workers.push(worker);
    const handle = await client.workflow.start(nightlyBackup, { taskQueue, workflowId: `nightly-tunnel-crash-${randomBytes(4).toString('hex')}`, args: [{ targets: [fixture.targets.postgres] }] });
    onTestFinished(async () => {
      await handle.terminate('the test is done with it').catch(() => undefined);
    });

    const dumps = () => processesRunning('pg_dump', `--dbname=${fixture.pgDatabase}`);
    await waitFor('pg_dump to start', async () => (await dumps()).length > 0, 60_000, 50);
    const tunnels = (await processesRunning('ssh', 'ExitOnForwardFailure=yes')).filter((p) => p.ppid === worker.pid);
    expect(tunnels).toHaveLength(1);
    const forward = /-L 127\.0\.0\.1:(\d+):127\.0\.0\.1:(\d+)/.exec(tunnels[0]!.cmdline);
    expect(Number(forward![2])).toBe(testServers().postgres.port);
    const [dump] = await dumps();
    expect(dump!.cmdline).toContain(`--host=127.0.0.1 --port=${forward![1]} `);

    await worker.killAlone();

    await waitFor('no ssh tunnel left', async () => !(await isAlive(tunnels[0]!.pid)), 2_000, 50);
    await waitFor('no pg_dump left', async () => (await dumps()).length === 0, 2_000, 50);
  }, 120_000);
});
