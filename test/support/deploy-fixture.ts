import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, type OpsConfig } from '../../src/config/load-config.js';
import { freeAppPort } from './app-port.js';
import { createSampleAppRepo, type SampleAppRepo } from './sample-app-repo.js';
import { testServers } from './servers.js';

export interface DeployFixture {
  id: string;
  dir: string;
  app: string;
  repo: SampleAppRepo;
  config: OpsConfig;
  configFile: string;
  env: Record<string, string>;
  /** host-side deploy root and base URL of each stage */
  stages: Record<'staging' | 'prod', { root: string; baseUrl: string; port: number; project: string }>;
  cleanup(): Promise<void>;
}

export interface DeployFixtureOptions {
  approvalBeforeProd?: boolean;
  approvalTimeoutMinutes?: number;
  healthTimeoutSeconds?: number;
  /** Adjust the config document before it is written. */
  edit?: (doc: Record<string, any>) => void;
  /** More environment for the config's ${VAR} references, e.g. a secret the edit refers to. */
  env?: Record<string, string>;
}

/**
 * A git repository of the sample app, and an app with a staging and a prod stage, both deployed
 * over real ssh to the test sshd (each stage with its own root, port and compose project; the
 * `docker` they reach is the test stand-in on the sshd's PATH).
 */
export async function makeDeployFixture(options: DeployFixtureOptions = {}): Promise<DeployFixture> {
  const { sshd, scratchRoot } = testServers();
  const id = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(scratchRoot, `deploy-${id}-`));
  await chmod(dir, 0o755);
  const repo = await createSampleAppRepo(join(dir, 'repo'));
  const app = `app-${id}`;
  const env = { DEPLOY_DB_PASSWORD: `db-${randomBytes(8).toString('hex')}`, ...options.env };
  const stageNames = ['staging', 'prod'] as const;
  const stages = {} as DeployFixture['stages'];
  for (const name of stageNames) {
    const port = await freeAppPort();
    const root = join(dir, 'hosts', name, app);
    await mkdir(root, { recursive: true });
    stages[name] = { root, port, baseUrl: `http://127.0.0.1:${port}`, project: `${app}-${name}` };
  }
  const doc: Record<string, any> = {
    stateDir: join(dir, 'state'),
    reports: join(dir, 'reports'),
    ssh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile },
    hosts: { local: { ssh: `ssh://${sshd.user}@${sshd.host}:${sshd.port}` } },
    apps: [
      {
        name: app,
        repository: repo.repo,
        path: stages.staging.root,
        stages: stageNames.map((name) => ({
          name,
          host: 'local',
          path: stages[name].root,
          baseUrl: stages[name].baseUrl,
          health: { url: `${stages[name].baseUrl}/health`, timeoutSeconds: options.healthTimeoutSeconds ?? 15, intervalSeconds: 0.2, stableSeconds: 1, bodyMatch: '"status":"ok"' },
          env: { PORT: String(stages[name].port), APP_GREETING: `hello from ${name}` },
          secrets: { DB_PASSWORD: '${DEPLOY_DB_PASSWORD}' },
        })),
        approval: { before: options.approvalBeforeProd ? ['prod'] : [], timeoutMinutes: options.approvalTimeoutMinutes ?? 60 },
        smoke: { smoke: ['node', 'smoke.js'], timeoutMinutes: 2 },
      },
    ],
  };
  options.edit?.(doc);
  const configFile = join(dir, 'ops.config.yaml');
  await writeFile(configFile, stringify(doc));
  return {
    id, dir, app, repo, configFile, env, stages,
    config: loadConfig(configFile, env),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
