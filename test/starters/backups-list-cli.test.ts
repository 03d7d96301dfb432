import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { BackupRepository } from '../../src/records/backup-repository.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { flipBytesInMiddle } from '../support/damage.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

interface Listed {
  id: string;
  target: string;
  kind: string | null;
  bytes: number | null;
  verify: string;
  where: string[];
  restorable: boolean;
  whyNot?: string;
}

/**
 * `ops backups list` says which backups are restorable: after a real nightly chain (dump, verify,
 * offsite copy to a directory), a backup that then fails verify, and a fresh machine whose empty
 * repository knows nothing, where only `--offsite` shows the destination's copy.
 */
describe('ops backups list: restorable, where, and --offsite', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  let pg: BackupEntry;
  let my: BackupEntry;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'local' });
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('nightly'), args: [{ targets: [fixture.targets.postgres, fixture.targets.mysql] }] });
    const repository = new BackupRepository(fixture.config.repository);
    [pg] = await repository.list(fixture.targets.postgres);
    [my] = await repository.list(fixture.targets.mysql);
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const list = async (configFile: string, ...args: string[]) => {
    const result = await runCli(['--config', configFile, 'backups', 'list', ...args], env);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    return result.stdout;
  };

  it('a verified backup held locally and at the offsite destination is restorable; the table says where', async () => {
    const listed = JSON.parse(await list(fixture.configFile, '--json')) as Listed[];
    expect(listed.find((b) => b.id === pg.id)).toMatchObject({ target: fixture.targets.postgres, kind: 'postgres', bytes: pg.manifest.bytes, verify: 'passed', where: ['local', fixture.offsiteDir], restorable: true });
    expect(listed.find((b) => b.id === pg.id)).not.toHaveProperty('whyNot');
    const table = await list(fixture.configFile);
    expect(table).toMatch(/^ID\s+KIND\s+FINISHED\s+SIZE\s+VERIFY\s+WHERE\s+RESTORABLE$/m);
    expect(table).toMatch(new RegExp(`^${pg.id}\\s+postgres\\s+.+\\s+passed\\s+local, ${fixture.offsiteDir}\\s+yes$`, 'm'));
  });

  it('a backup that failed verify is not restorable, and says so', async () => {
    await flipBytesInMiddle(join(my.dir, my.manifest.artifact));
    const verify = await runCli(['--config', fixture.configFile, 'verify', my.id, '--wait'], env);
    expect(verify.exitCode).toBe(1);
    const listed = JSON.parse(await list(fixture.configFile, '--json')) as Listed[];
    expect(listed.find((b) => b.id === my.id)).toMatchObject({ verify: 'failed', where: ['local', fixture.offsiteDir], restorable: false, whyNot: 'verify failed' });
    expect(await list(fixture.configFile)).toMatch(new RegExp(`^${my.id}\\s+mysql\\s+.+\\s+failed\\s+local, ${fixture.offsiteDir}\\s+no: verify failed$`, 'm'));
  });

  it('on a fresh machine with an empty repository, only --offsite shows the destination\'s copies', async () => {
    const doc = parse(await readFile(fixture.configFile, 'utf8')) as Record<string, any>;
    doc.repository = join(fixture.dir, 'fresh-repo');
    await mkdir(doc.repository);
    const freshConfig = join(fixture.dir, 'fresh.config.yaml');
    await writeFile(freshConfig, stringify(doc));

    expect(await list(freshConfig)).toBe(`no backups in ${doc.repository}`);
    const listed = (JSON.parse(await list(freshConfig, '--offsite', '--json')) as Listed[]).sort((a, b) => a.id.localeCompare(b.id));
    // Kind, time, size and hash come from each copy's own manifest.json at the destination.
    expect(listed).toEqual([pg, my].sort((a, b) => a.id.localeCompare(b.id)).map(({ id, target, manifest }) => ({
      id, target, kind: manifest.kind, finishedAt: manifest.finishedAt, bytes: manifest.bytes, sha256: manifest.sha256,
      verify: 'none', offsite: 'none', where: [fixture.offsiteDir], restorable: false, whyNot: 'no verify record here (offsite only)',
    })));
    expect(await list(freshConfig, '--offsite', '--target', pg.target)).toMatch(new RegExp(`^${pg.id}\\s+postgres\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0[12]:00\\s+[\\d.]+ [KMG]?i?B\\s+none\\s+${fixture.offsiteDir}\\s+no: no verify record here \\(offsite only\\)$`, 'm'));
  });

  it('--offsite with a destination that cannot be listed warns, naming it and the cause, and lists the others', async () => {
    const doc = parse(await readFile(fixture.configFile, 'utf8')) as Record<string, any>;
    doc.repository = join(fixture.dir, 'fresh-repo-2');
    doc.backup.offsite = [{ url: 's3://nowhere/ops', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, accessKeyId: '${S3_KEY_ID}', secretAccessKey: '${S3_SECRET}' }, fixture.offsiteDir];
    const config = join(fixture.dir, 'unreachable.config.yaml');
    await writeFile(config, stringify(doc));
    const result = await runCli(['--config', config, 'backups', 'list', '--offsite', '--target', pg.target, '--json'], { ...env, S3_KEY_ID: 'k', S3_SECRET: 's' });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('warning: offsite destination s3://nowhere/ops could not be listed: s3://nowhere/ops at http://127.0.0.1:9: listing ops/');
    expect(result.stderr).toContain('ECONNREFUSED');
    // The warning is the only line: not the S3 SDK's own notice about Node versions it will drop.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect((JSON.parse(result.stdout) as Listed[]).map((b) => [b.id, b.where])).toEqual([[pg.id, [fixture.offsiteDir]]]);
  });
});
