import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMariadb } from '../src/local-servers/mariadb-server.js';
import { startPostgres } from '../src/local-servers/postgres-server.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { startSshd } from './support/sshd.js';
import type { ServerLogin, SshLogin } from './support/servers.js';

/** Starts the real servers every integration test uses, in a private temp dir, and tears them down after the run. */
export default async function setup(project: TestProject) {
  const root = await mkdtemp(join(tmpdir(), 'ops-test-'));
  // PostgreSQL runs as the postgres OS user, which must be able to reach its data dir.
  await chmod(root, 0o755);
  const [temporal, postgres, mariadb, sshd] = await Promise.all([
    startDevServer({ headless: true }),
    startPostgres({ dataDir: join(root, 'pg') }),
    startMariadb({ dataDir: join(root, 'my') }),
    startSshd({ dir: join(root, 'sshd') }),
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

  return async () => {
    await Promise.allSettled([temporal.stop(), postgres.stop(), mariadb.stop(), sshd.stop()]);
    await rm(root, { recursive: true, force: true });
  };
}
