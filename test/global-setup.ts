import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startMariadb } from '../src/local-servers/mariadb-server.js';
import { startPostgres } from '../src/local-servers/postgres-server.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { startSshd } from './support/sshd.js';
import { stopShimContainers } from './support/stop-shim-containers.js';
import type { ServerLogin, SshLogin } from './support/servers.js';

const DOCKER_SHIM_DIR = fileURLToPath(new URL('./support/docker-shim', import.meta.url));

/** The directory that plays the image registry for every docker stand-in host of one test run. */
export const dockerRegistryDir = (scratchRoot: string) => join(scratchRoot, 'docker-registry');

/** The `docker` that sessions on the test sshd run: the stand-in, never the real client further down PATH. */
export async function dockerShimEnv(stateDir: string, registryDir: string): Promise<Record<string, string>> {
  // Without the execute bit the remote shell would silently fall through to /usr/local/bin/docker.
  await access(join(DOCKER_SHIM_DIR, 'docker'), constants.X_OK);
  await mkdir(stateDir, { recursive: true });
  return {
    PATH: [DOCKER_SHIM_DIR, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':'),
    DOCKER_SHIM_STATE: stateDir,
    DOCKER_SHIM_REGISTRY: registryDir,
  };
}


/** Starts the real servers every integration test uses, in a private temp dir, and tears them down after the run. */
export default async function setup(project: TestProject) {
  const root = await mkdtemp(join(tmpdir(), 'ops-test-'));
  // PostgreSQL runs as the postgres OS user, which must be able to reach its data dir.
  await chmod(root, 0o755);
  const dockerShimState = join(root, 'docker-shim-state');
  const [temporal, postgres, mariadb, sshd] = await Promise.all([
    startDevServer({ headless: true }),
    startPostgres({ dataDir: join(root, 'pg') }),
    startMariadb({ dataDir: join(root, 'my') }),
    dockerShimEnv(dockerShimState, dockerRegistryDir(root)).then((env) => startSshd({ dir: join(root, 'sshd'), env })),
  ]);
  const login = (s: { host: string; port: number; adminUser: string; adminPassword: string }): ServerLogin => ({
    host: s.host,
    port: s.port,
    adminUser: s.adminUser,
    adminPassword: s.adminPassword,
  });
  project.provide('temporalAddress', temporal.address);
  project.provide('postgres', login(postgres));
  project.provide('mariadb', login(mariadb));
  project.provide('sshd', {
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.identityFile,
    knownHostsFile: sshd.knownHostsFile,
  } satisfies SshLogin);
  project.provide('scratchRoot', root);
  project.provide('dockerShimState', dockerShimState);

  return async () => {
    await Promise.allSettled([temporal.stop(), postgres.stop(), mariadb.stop(), sshd.stop(), stopShimContainers(dockerShimState)]);
    await rm(root, { recursive: true, force: true });
  };
}
