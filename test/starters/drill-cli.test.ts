import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillStore } from '../../src/records/drill-store.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { damageOffsiteCopy } from '../support/offsite-damage.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

const STARTED = /^started (drill-\d{8}T\d{6}Z-manual)$/m;

/** `ops drill` as a user runs it, against a real worker and a nightly backup copied offsite. */
describe('ops drill', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let env: Record<string, string>;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'local' });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{}] });
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const drill = (...args: string[]) => runCli(['--config', fixture.configFile, 'drill', ...args], env);

  it('--wait on a good backup streams the steps, prints the workflow id and exits 0', async () => {
    const target = fixture.targets.postgres;
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);
    const result = await drill('--target', target, '--pick', 'latest', '--wait');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const workflowId = STARTED.exec(result.stdout)?.[1];
    expect(workflowId).toBeDefined();
    expect(result.stdout).toMatch(/restore and check\s+done/);
    expect(result.stdout).toContain(`drill passed: ${backup!.id} restored from the offsite copy in `);
    expect((await worker.client.workflow.getHandle(workflowId!).describe()).status.name).toBe('COMPLETED');
    expect((await new DrillStore(fixture.config.repository).list()).at(-1)).toMatchObject({ target, backupId: backup!.id, status: 'passed' });
  });

  it.each<[string, string[], string]>([
    ['a bad --pick value', ['--pick', 'newest', '--wait'], '--pick must be random or latest, got "newest"'],
    ['an unknown --target', ['--target', 'nope', '--wait'], 'unknown target "nope" (configured: <targets>)'],
    ['a --from that is no configured destination', ['--from', 's3://elsewhere/ops', '--wait'], '--from: no offsite destination "s3://elsewhere/ops" (configured: <offsite>)'],
  ])('%s is bad usage: exit 2 naming it, nothing started', async (_name, args, message) => {
    const result = await drill(...args);
    expect(result.exitCode).toBe(2);
    const { postgres, mysql, files } = fixture.targets;
    expect(result.stderr).toBe(`error: ${message.replace('<offsite>', fixture.offsiteDir).replace('<targets>', `${postgres}, ${mysql}, ${files}`)}`);
    expect(result.stdout).not.toContain('started');
  });

  it('--from a configured destination fetches from it', async () => {
    const target = fixture.targets.postgres;
    const result = await drill('--target', target, '--pick', 'latest', '--from', fixture.offsiteDir, '--wait');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/fetch offsite copy\s+done/);
  });

  it('--wait on a drill that fails exits 1 naming the backup and the cause', async () => {
    const backup = await damageOffsiteCopy(fixture, fixture.targets.mysql);
    const result = await drill('--target', fixture.targets.mysql, '--pick', 'latest', '--wait');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(STARTED);
    expect(result.stderr).toMatch(new RegExp(`^error: restore drill of ${backup.id} failed: checksum mismatch: `, 'm'));
  });
});
