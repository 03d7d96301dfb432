import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { SshSettings } from '../src/commands/ssh.js';
import { loadConfig, type OpsConfig } from '../src/config/load-config.js';
import type { SshHostAddress } from '../src/config/location.js';
import { freePort } from '../src/local-servers/free-port.js';
import { createSampleAppRepo, type SampleAppRepo } from '../test/support/sample-app-repo.js';
import { startSshd } from '../test/support/sshd.js';
import { stopShimContainers } from '../test/support/stop-shim-containers.js';
import type { Teardown } from './teardown.js';

export const STAGES = ['staging', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** A third stage of the same app on three hosts (the bench's sshd and two more), all switched at once; the script never deploys it. */
export const FLEET = { stage: 'fleet', hosts: ['local', 'fleet2', 'fleet3'], parallel: 3 } as const;

/** Health gate settings of both stages; the bare script polls with the same numbers. */
export const HEALTH = { timeoutSeconds: 15, intervalSeconds: 0.2, stableSeconds: 1, bodyMatch: '"status":"ok"' } as const;

export interface DeployWorld {
  app: string;
  repo: SampleAppRepo;
  configFile: string;
  /** The config as the worker loads it (same file, same env). */
  config: OpsConfig;
  /** The secret env vars the config names; the worker gets them, nothing else does. */
  secretEnv: Record<string, string>;
  stages: Record<StageName, { root: string; baseUrl: string; project: string }>;
  /** The fleet stage's hosts in rollout order: each its own deploy root and app URL. */
  fleet: Array<{ host: string; root: string; baseUrl: string }>;
  /** Where both deploys connect, and the ssh settings without the bench's extra options. */
  sshHost: SshHostAddress;
  baseSsh: SshSettings;
  /** The sshd's pid, for CPU accounting of the remote side. */
  sshdPid: number;
}

const DOCKER_SHIM_DIR = resolve(import.meta.dirname, '../test/support/docker-shim');

/**
 * The deploy side of the bench, like test/support/deploy-fixture.ts: an sshd on 127.0.0.1 whose
 * sessions find the docker stand-in first on PATH, a git repository of the sample app, and an ops
 * config with a staging and a prod stage (own root, port and compose project each) on that sshd,
 * and a fleet stage on it and two more sshds,
 * with no approval gates.
 */
export async function createDeployWorld(root: string, sshOptions: string[], teardown: Teardown, log: (line: string) => void): Promise<DeployWorld> {
  // Without the execute bit the remote shell would fall through to a real docker further down PATH.
  await access(join(DOCKER_SHIM_DIR, 'docker'), constants.X_OK);
  const shimState = join(root, 'docker-shim-state');
  await mkdir(shimState, { recursive: true });
  const shimPath = [DOCKER_SHIM_DIR, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
  const sshd = await startSshd({ dir: join(root, 'sshd'), env: { PATH: shimPath, DOCKER_SHIM_STATE: shimState } });
  teardown.defer('stop sshd', () => sshd.stop());
  teardown.defer('stop the stand-in\'s app processes', () => stopShimContainers(shimState));
  const sshdPid = Number((await readFile(join(root, 'sshd', 'sshd.pid'), 'utf8')).trim());
  log(`sshd on 127.0.0.1:${sshd.port}`);
  // The fleet's other hosts: an sshd each with a docker stand-in state of its own (so the same compose project runs once per host), letting in the same key.
  const knownHostsFile = join(root, 'known_hosts');
  await writeFile(knownHostsFile, await readFile(sshd.knownHostsFile, 'utf8'));
  const fleetSsh: Record<string, string> = { local: `ssh://${sshd.user}@${sshd.host}:${sshd.port}` };
  for (const name of FLEET.hosts.slice(1)) {
    const state = join(root, `docker-shim-state-${name}`);
    await mkdir(state, { recursive: true });
    const host = await startSshd({ dir: join(root, `sshd-${name}`), env: { PATH: shimPath, DOCKER_SHIM_STATE: state } });
    teardown.defer(`stop sshd ${name}`, () => host.stop());
    teardown.defer(`stop the stand-in's app processes on ${name}`, () => stopShimContainers(state));
    await appendFile(join(root, `sshd-${name}`, 'authorized_keys'), await readFile(`${sshd.identityFile}.pub`));
    await appendFile(knownHostsFile, await readFile(host.knownHostsFile, 'utf8'));
    fleetSsh[name] = `ssh://${host.user}@${host.host}:${host.port}`;
    log(`sshd ${name} on 127.0.0.1:${host.port}`);
  }

  const repo = await createSampleAppRepo(join(root, 'repo'));
  const id = randomBytes(3).toString('hex');
  const app = `bench-${id}`;
  const secretEnv = { BENCH_DEPLOY_DB_PASSWORD: `db-${randomBytes(8).toString('hex')}` };
  const stages = {} as DeployWorld['stages'];
  const ports = {} as Record<StageName, number>;
  for (const name of STAGES) {
    ports[name] = await freePort();
    const stageRoot = join(root, 'hosts', name, app);
    await mkdir(stageRoot, { recursive: true });
    stages[name] = { root: stageRoot, baseUrl: `http://127.0.0.1:${ports[name]}`, project: `${app}-${name}` };
  }
  const fleet: DeployWorld['fleet'] = [];
  for (const host of FLEET.hosts) {
    const fleetRoot = join(root, 'hosts', `${FLEET.stage}-${host}`, app);
    await mkdir(fleetRoot, { recursive: true });
    fleet.push({ host, root: fleetRoot, baseUrl: `http://127.0.0.1:${await freePort()}` });
  }
  const doc = {
    stateDir: join(root, 'state'),
    repository: join(root, 'backups'),
    reports: join(root, 'reports'),
    ssh: { identityFile: sshd.identityFile, knownHostsFile, options: sshOptions },
    hosts: Object.fromEntries(Object.entries(fleetSsh).map(([name, ssh]) => [name, { ssh }])),
    apps: [
      {
        name: app,
        repository: repo.repo,
        path: stages.staging.root,
        stages: [
          ...STAGES.map((name) => ({
            name,
            host: 'local',
            path: stages[name].root,
            baseUrl: stages[name].baseUrl,
            health: { url: `${stages[name].baseUrl}/health`, ...HEALTH },
            env: { PORT: String(ports[name]), APP_GREETING: `hello from ${name}` },
            secrets: { DB_PASSWORD: '${BENCH_DEPLOY_DB_PASSWORD}' },
          })),
          {
            name: FLEET.stage,
            // Each host its own root, port and health URL; the smoke tests the first host's URL, as it would a load balancer's.
            hosts: fleet.map((h) => ({ host: h.host, path: h.root, env: { PORT: new URL(h.baseUrl).port }, health: { url: `${h.baseUrl}/health` } })),
            rollout: { parallel: FLEET.parallel },
            baseUrl: fleet[0]!.baseUrl,
            health: { url: `${fleet[0]!.baseUrl}/health`, ...HEALTH },
            env: { APP_GREETING: `hello from ${FLEET.stage}` },
            secrets: { DB_PASSWORD: '${BENCH_DEPLOY_DB_PASSWORD}' },
          },
        ],
        approval: { before: [] },
        smoke: { smoke: ['node', 'smoke.js'], timeoutMinutes: 2 },
      },
    ],
  };
  const configFile = join(root, 'ops.config.yaml');
  await writeFile(configFile, stringify(doc));
  return {
    app, repo, configFile, config: loadConfig(configFile, secretEnv), secretEnv, stages, fleet, sshdPid,
    sshHost: { user: sshd.user, host: sshd.host, port: sshd.port },
    baseSsh: { identityFile: sshd.identityFile, knownHostsFile: sshd.knownHostsFile, options: [] },
  };
}

