import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCalls } from '../support/deploy-assertions.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { processesRunning } from '../support/processes.js';
import { OPS_BIN, runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { waitFor } from '../support/wait-for.js';

/** `ops logs` over the real sshd, the docker stand-in printing the running app's log as compose does. */
describe('ops logs APP --stage S', () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let env: Record<string, string>;
  let project: string;
  let current: string;
  let logFile: string;

  beforeAll(async () => {
    fixture = await makeDeployFixture();
    worker = await startTestWorker(fixture.config);
    env = { ...fixture.env, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
    const deployed = await runCli(['--config', fixture.configFile, 'deploy', fixture.app, '--ref', 'main', '--stages', 'staging', '--wait'], env);
    expect(deployed.exitCode).toBe(0);
    project = fixture.stages.staging.project;
    current = `${fixture.stages.staging.root}/current`;
    logFile = join(testServers().dockerShimState, `${project}.log`);
    // An app that logs its database URL, password and all, as apps do.
    appendFileSync(logFile, `connecting to postgres://app:${fixture.env.DEPLOY_DB_PASSWORD}@db:5432/app\n`);
  }, 300_000);
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  const cli = (...args: string[]) => runCli(['--config', fixture.configFile, 'logs', fixture.app, ...args], env);
  const lastCall = () => dockerCalls(project).at(-1);
  const composeArgv = (...logs: string[]) => ['compose', '--project-directory', current, '-f', `${current}/docker-compose.yml`, '-p', project, 'logs', '--no-color', ...logs];

  it('prints the running release\'s compose logs, the stage\'s secret values replaced by [redacted]', async () => {
    const result = await cli('--stage', 'staging');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^app-1 {2}\| sample-app \S+ release [0-9a-f]{40} starting; settings: APP_GREETING=hello from staging$/m);
    expect(result.stdout).toMatch(/^app-1 {2}\| connecting to postgres:\/\/app:\[redacted\]@db:5432\/app$/m);
    expect(result.stdout).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
    expect(lastCall()).toEqual(composeArgv());
  });

  it('--service and --since go to compose; an unknown service fails with compose\'s message (exit 1); a malformed --since is exit 2', async () => {
    expect((await cli('--stage', 'staging', '--service', 'app', '--since', '10m')).exitCode).toBe(0);
    expect(lastCall()).toEqual(composeArgv('--since', '10m', 'app'));

    const unknown = await cli('--stage', 'staging', '--service', 'db');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no such service: db');
    expect(unknown.stderr).toContain('error: docker compose logs on local failed (exit 1)');

    const since = await cli('--stage', 'staging', '--since', 'yesterday');
    expect([since.exitCode, since.stderr.trim()]).toEqual([2, 'error: --since must be a duration such as 10m or 2h, or a timestamp, got "yesterday"']);
  });

  it('a stage never deployed: exit 1 naming it, nothing run on the host', async () => {
    const result = await cli('--stage', 'prod');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`error: ${fixture.app} on prod: no running release to read logs of (${fixture.stages.prod.root}/current/.env on local: `);
    expect(dockerCalls(fixture.stages.prod.project)).toEqual([]);
  });

  it('--follow prints lines as they are appended, scrubbed, until interrupted; the remote side ends with it', async () => {
    const child = execa('node', [OPS_BIN, '--config', fixture.configFile, 'logs', fixture.app, '--stage', 'staging', '--follow'], { env, reject: false, stdin: 'ignore' });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitFor('the existing lines', () => out.includes('connecting to postgres://app:[redacted]'), 30_000);
    appendFileSync(logFile, `retrying with password ${fixture.env.DEPLOY_DB_PASSWORD}\n`);
    await waitFor('the appended line', () => out.includes('app-1  | retrying with password [redacted]\n'), 30_000);
    expect(out).not.toContain(fixture.env.DEPLOY_DB_PASSWORD);
    expect(lastCall()).toEqual(composeArgv('--follow'));

    child.kill('SIGINT');
    await child;
    const followers = async () => (await execa('ps', ['-eo', 'args'])).stdout.split('\n').filter((line) => line.includes(project) && line.includes('--follow'));
    await waitFor('the remote compose logs --follow to end', async () => (await followers()).length === 0, 15_000);
  });

  it('--follow killed outright (SIGKILL, no handler runs): its ssh ends with it, not at the next log line', async () => {
    const child = execa('node', [OPS_BIN, '--config', fixture.configFile, 'logs', fixture.app, '--stage', 'staging', '--follow'], { env, reject: false, stdin: 'ignore' });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitFor('the existing lines', () => out.includes('connecting to postgres://app:[redacted]'), 30_000);
    expect((await processesRunning('ssh', project)).map((p) => p.ppid)).toEqual([child.pid]);

    child.kill('SIGKILL');
    await child;
    await waitFor('the CLI\'s ssh to end', async () => (await processesRunning('ssh', project)).length === 0, 10_000);
  });
});
