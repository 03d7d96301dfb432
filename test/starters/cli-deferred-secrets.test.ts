import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';

/** CI runs the starter without the app's secrets: only the worker holds them. */
describe('ops deploy from an environment without the config secrets', { timeout: 300_000 }, () => {
  let fixture: DeployFixture;
  let worker: TestWorker;
  let ciEnv: Record<string, string>;

  beforeAll(async () => {
    fixture = await makeDeployFixture();
    worker = await startTestWorker(fixture.config);
    const { DEPLOY_DB_PASSWORD: _withheld, ...rest } = fixture.env;
    ciEnv = { ...rest, TEMPORAL_ADDRESS: testServers().temporalAddress, OPS_TASK_QUEUE: worker.taskQueue };
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  it('deploy --wait exits 0 and the worker writes the real secret into the release .env', async () => {
    const sha = await fixture.repo.sha('main');
    const result = await runCli(['--config', fixture.configFile, 'deploy', fixture.app, '--ref', 'main', '--wait', '--by', 'ci'], ciEnv);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const dotenv = readFileSync(join(fixture.stages.prod.root, 'releases', sha, '.env'), 'utf8');
    expect(dotenv).toContain(`DB_PASSWORD="${fixture.env.DEPLOY_DB_PASSWORD}"`);
  });

  it('config check still requires every secret: exit 2 naming the variable and the key', async () => {
    const result = await runCli(['--config', fixture.configFile, 'config', 'check'], ciEnv);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/apps\[0\]\.stages\[\d\]\.secrets\.DB_PASSWORD: environment variable DEPLOY_DB_PASSWORD is not set/);
  });
});
