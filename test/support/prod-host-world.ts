import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDeployFixture, type DeployFixture } from './deploy-fixture.js';
import { stageOf, type DeployWorld } from './deploy-world.js';
import { startDockerHost, type DockerHost } from './docker-host.js';
import { testServers } from './servers.js';
import { startTestWorker } from './test-worker.js';

export interface ProdHostWorld extends DeployWorld {
  /** prod's host: an sshd and a docker stand-in state of its own, so an image reaches it only by what the deploy ships. */
  prodHost: DockerHost;
  /** Stops the worker and prod's host and removes the fixture. */
  stop(): Promise<void>;
}

/** A deploy fixture whose prod stage runs on a second host, with the app's `build:` set to `build`, and one in-process worker. */
export async function startProdHostWorld(build: Record<string, unknown>): Promise<ProdHostWorld> {
  const prodHost = await startDockerHost(await mkdtemp(join(testServers().scratchRoot, 'prod-host-')));
  let fixture: DeployFixture | undefined;
  try {
    fixture = await makeDeployFixture({
      edit: (doc) => {
        doc.hosts.prodhost = { ssh: prodHost.ssh };
        doc.ssh.knownHostsFile = prodHost.knownHostsFile;
        stageOf(doc, 'prod').host = 'prodhost';
        doc.apps[0].build = build;
      },
    });
    const made = fixture;
    const worker = await startTestWorker(made.config);
    const stop = async () => {
      await worker.stop();
      await prodHost.stop();
      await made.cleanup();
    };
    return { fixture: made, worker, startWorker: startTestWorker, prodHost, stop };
  } catch (err) {
    await fixture?.cleanup();
    await prodHost.stop();
    throw err;
  }
}
