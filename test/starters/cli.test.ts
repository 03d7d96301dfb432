import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { formatLocalTime } from '../../src/core/format.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

describe('ops CLI against a real worker', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let env: Record<string, string>;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'local' });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  it('config check prints OK and the targets for a valid config', async () => {
    const result = await runCli(['--config', fixture.configFile, 'config', 'check'], env);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`${fixture.configFile}: OK`);
    for (const target of fixture.config.targets) expect(result.stdout).toContain(`${target.name} (${target.kind})`);
  });

  it('config check lists every problem with its path and exits 2', async () => {
    const broken = join(fixture.dir, 'broken.yaml');
    writeFileSync(broken, [
      'databases:',
      '  - name: a',
      '    url: http://x/y',
      '  - name: Bad Name',
      '    url: postgres://u:secret@h/db',
      'backup:',
      '  retension: { daily: 1 }',
    ].join('\n'));
    const result = await runCli(['--config', broken, 'config', 'check'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('config error: 4 problems');
    expect(result.stderr).toContain('databases[0].url: expected a postgres:// or mysql:// URL, got scheme "http:"');
    expect(result.stderr).toContain('databases[1].name: expected lower-case letters');
    expect(result.stderr).toContain('databases[1].url: must not contain a password');
    expect(result.stderr).toContain('backup: unknown key "retension"');
    expect(result.stderr).not.toContain('secret');
  });

  it('config check: an identity file that holds no age identity is a config error (exit 2) naming it, without its content', async () => {
    const garbage = join(fixture.dir, 'garbage.agekey');
    writeFileSync(garbage, 'garbage-not-a-key\n', { mode: 0o600 });
    const encrypted = join(fixture.dir, 'encrypted.yaml');
    const doc = parse(readFileSync(fixture.configFile, 'utf8')) as Record<string, any>;
    doc.backup.encryption = { recipients: ['age1da6twdwsrer2wlxhapf353q7x630pzj3gy0jwyfzflgle7e7kusquw25jw'], identityFile: `file:${garbage}` };
    writeFileSync(encrypted, stringify(doc));
    const result = await runCli(['--config', encrypted, 'config', 'check'], env);
    expect([result.exitCode, result.stdout, result.stderr.trim()]).toEqual([2, '', `config error: backup.encryption.identityFile: file ${garbage} holds no age identity (an AGE-SECRET-KEY-1… line, as age-keygen writes it)`]);
  });

  it('status on a host whose config has no backup targets (a deploy host) says so, not OK over an empty table', async () => {
    const doc = parse(readFileSync(fixture.configFile, 'utf8')) as Record<string, any>;
    delete doc.databases;
    delete doc.files;
    const deployHost = join(fixture.dir, 'deploy-host.yaml');
    writeFileSync(deployHost, stringify(doc));
    const result = await runCli(['--config', deployHost, 'status'], env);
    expect([result.exitCode, result.stdout.trim(), result.stderr]).toEqual([0, 'backup health: no backup targets in this config', '']);
  });

  it('up with an invalid config starts nothing and lists the problems', async () => {
    const broken = join(fixture.dir, 'broken-up.yaml');
    writeFileSync(broken, ['demo: { postgres: true }', `stateDir: ${join(fixture.dir, 'up-state')}`, 'databases: [{ name: x, url: "mysql://u@h/d", pasword: "${P}" }]'].join('\n'));
    const result = await runCli(['--config', broken, 'up'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('databases[0]: unknown key "pasword"');
    expect(result.stdout).not.toContain('ops is up');
    expect(existsSync(join(fixture.dir, 'up-state', 'demo', 'pg'))).toBe(false);
  });

  it('backup with an unknown target is bad usage: exit 2, nothing started', async () => {
    const result = await runCli(['--config', fixture.configFile, 'backup', '--target', 'nope', '--wait'], env);
    expect(result.exitCode).toBe(2);
    const { postgres, mysql, files } = fixture.targets;
    expect(result.stderr.trim()).toBe(`error: unknown target "nope" (configured: ${postgres}, ${mysql}, ${files})`);
    expect(result.stdout).not.toContain('started');
  });

  it('backup --wait streams progress, prints the run id and where to see it, and exits 0; backups list shows it', async () => {
    const target = fixture.config.targets.find((t) => t.kind === 'postgres')!.name;
    const result = await runCli(['--config', fixture.configFile, 'backup', '--target', target, '--wait'], env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^started backup-\d{8}T\d{6}Z-manual$/m);
    // An external Temporal and no OPS_TEMPORAL_UI_URL: no link to give, so how to find the run instead.
    expect(result.stdout).toMatch(/^ {2}temporal workflow describe --workflow-id backup-\d{8}T\d{6}Z-manual {3}\(no Web UI link: set OPS_TEMPORAL_UI_URL to the UI's base URL\)$/m);
    expect(result.stdout).toMatch(new RegExp(`${target} › dump\\s+done`));
    expect(result.stdout).toMatch(new RegExp(`${target} › verify\\s+done`));
    expect(result.stdout).toContain('backup finished: 1 target(s) OK');
    // In the order they happened: the target's run's last step before the target is done.
    const lineOf = (pattern: RegExp) => result.stdout.split('\n').findIndex((line) => pattern.test(line));
    expect(lineOf(new RegExp(`${target} › verify\\s+done`))).toBeLessThan(lineOf(new RegExp(`target ${target}\\s+done`)));
    expect(lineOf(new RegExp(`target ${target}\\s+done`))).toBeGreaterThan(-1);
    // What the run shows as its summary in the Web UI.
    const backupRun = /^started (\S+)$/m.exec(result.stdout)![1]!;
    expect(await (await worker.client.workflow.getHandle(backupRun).describe()).staticSummary()).toBe(`backup ${target}`);

    const list = await runCli(['--config', fixture.configFile, 'backups', 'list', '--json'], env);
    expect(list.exitCode).toBe(0);
    const backups = JSON.parse(list.stdout) as Array<{ id: string; target: string; finishedAt: string; verify: string; offsite: string; sha256: string }>;
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ target, verify: 'passed', offsite: 'copied' });
    // --json keeps UTC ISO; the table shows the config's zone (Europe/Prague, the default) with the offset.
    const { finishedAt } = backups[0]!;
    expect(finishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const table = await runCli(['--config', fixture.configFile, 'backups', 'list'], env);
    expect(table.stdout).toMatch(/^ID\s+KIND\s+FINISHED\s+SIZE\s+VERIFY\s+WHERE\s+RESTORABLE$/m);
    expect(table.stdout).toMatch(new RegExp(`^${backups[0]!.id}\\s+postgres\\s+${formatLocalTime(finishedAt, 'Europe/Prague').replace('+', '\\+')}\\s+\\d`, 'm'));
    expect(formatLocalTime(finishedAt, 'Europe/Prague')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0[12]:00$/);

    const verify = await runCli(['--config', fixture.configFile, 'verify', backups[0]!.id, '--wait'], { ...env, OPS_TEMPORAL_UI_URL: 'http://ui.example:8080/' });
    expect(verify.exitCode).toBe(0);
    expect(verify.stdout).toContain('verify passed');
    const verifyId = `verify-${backups[0]!.id}-at-\\d{8}T\\d{6}Z`;
    expect(verify.stdout).toMatch(new RegExp(`^started ${verifyId}\\n {2}http://ui\\.example:8080/namespaces/default/workflows/${verifyId}/[0-9a-f-]{36}/history$`, 'm'));
    const verifyRun = /^started (\S+)$/m.exec(verify.stdout)![1]!;
    expect(await (await worker.client.workflow.getHandle(verifyRun).describe()).staticSummary()).toBe(`verify ${backups[0]!.id}`);
  });

  it('status reports health per target from the repository, and exits 1 when a target is FAIL', async () => {
    const pgTarget = fixture.config.targets.find((t) => t.kind === 'postgres')!.name;
    const result = await runCli(['--config', fixture.configFile, 'status', '--json'], env);
    expect(result.exitCode).toBe(1);
    const health = JSON.parse(result.stdout) as { status: string; reasons: string[]; targets: Array<{ target: string; status: string; validDumpAgeHours: number | null; backupSuccessRate7d: number | null }> };
    expect(health.status).toBe('FAIL');
    const pg = health.targets.find((t) => t.target === pgTarget)!;
    expect(pg.status).toBe('OK');
    expect(pg.validDumpAgeHours).toBeLessThan(0.5);
    expect(pg.backupSuccessRate7d).toBe(1);
    for (const other of fixture.config.targets.filter((t) => t.name !== pgTarget)) {
      expect(health.reasons).toContain(`${other.name}: no backup yet`);
    }
    const table = await runCli(['--config', fixture.configFile, 'status'], env);
    expect(table.stdout).toMatch(new RegExp(`^${pgTarget}\\s+OK`, 'm'));
    expect(table.stderr).toContain('backup health is FAIL');
  });

  it('a failed run exits 1 naming the backup and the cause', async () => {
    const list = await runCli(['--config', fixture.configFile, 'backups', 'list', '--json'], env);
    const [backup] = JSON.parse(list.stdout) as Array<{ id: string; target: string }>;
    const dir = join(fixture.config.repository, backup!.target, backup!.id.slice(backup!.target.length + 1));
    const artifact = join(dir, 'dump.pgc');
    const bytes = readFileSync(artifact);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(artifact, bytes);

    const result = await runCli(['--config', fixture.configFile, 'verify', backup!.id, '--wait'], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${backup!.id}: checksum mismatch`, 'm'));

    // The earlier pass still dates the verify: the failure is its own finding, not "no passed verify yet".
    const status = await runCli(['--config', fixture.configFile, 'status', '--json'], env);
    const { reasons } = JSON.parse(status.stdout) as { reasons: string[] };
    expect(reasons).toContain(`${backup!.target}: verify failed 1 time in a row (fail at 2)`);
    expect(reasons.filter((r) => r.startsWith(`${backup!.target}: `) && r.includes('no passed verify'))).toEqual([]);
  });

  it('verify of a well-formed id that names no backup is bad usage naming the id and its target; nothing started', async () => {
    const target = fixture.targets.postgres;
    const id = `${target}-20200101T000000Z`;
    const result = await runCli(['--config', fixture.configFile, 'verify', id, '--wait'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(`error: no backup ${id} of target ${target} in ${fixture.config.repository} (ops backups list --target ${target} lists them)`);
    expect(result.stdout).toBe('');
  });

  it('verify with a malformed backup id is bad usage', async () => {
    const result = await runCli(['--config', fixture.configFile, 'verify', 'not-an-id'], env);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('not a backup id: "not-an-id"');
  });

  it('backups show answers a malformed id and a missing backup as verify does: bad usage, the same words', async () => {
    const target = fixture.targets.postgres;
    const id = `${target}-20200101T000000Z`;
    for (const asked of ['not-an-id', id]) {
      const [show, verify] = await Promise.all([runCli(['--config', fixture.configFile, 'backups', 'show', asked], env), runCli(['--config', fixture.configFile, 'verify', asked], env)]);
      expect([show.exitCode, show.stderr]).toEqual([2, verify.stderr]);
      expect(verify.exitCode).toBe(2);
    }
  });
});
