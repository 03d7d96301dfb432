import { appendFile, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerRegistryDir, dockerShimEnv } from '../global-setup.js';
import { testServers } from './servers.js';
import { startSshd } from './sshd.js';
import { stopShimContainers } from './stop-shim-containers.js';

/** A second deploy host: its own sshd and its own docker stand-in state (image store, containers, calls.log). */
export interface DockerHost {
  /** ssh://user@127.0.0.1:port, for the config's hosts: */
  ssh: string;
  /** This host's DOCKER_SHIM_STATE. */
  state: string;
  /** known_hosts naming both the test sshd and this one, for the config's ssh.knownHostsFile. */
  knownHostsFile: string;
  stop(): Promise<void>;
}

/**
 * Starts another sshd whose sessions run the docker stand-in on a state dir of their own, so an
 * image built on the test sshd's "host" is not on this one until something ships it. It lets in the
 * test sshd's client key, so one config's ssh identity reaches both hosts. Both share the run's
 * registry directory, so an image pushed from one can be pulled on the other.
 */
export async function startDockerHost(dir: string): Promise<DockerHost> {
  const { sshd, scratchRoot } = testServers();
  const state = join(dir, 'docker-shim-state');
  const host = await startSshd({ dir: join(dir, 'sshd'), env: await dockerShimEnv(state, dockerRegistryDir(scratchRoot)) });
  await appendFile(join(dir, 'sshd', 'authorized_keys'), await readFile(`${sshd.identityFile}.pub`));
  const knownHostsFile = join(dir, 'known_hosts');
  await copyFile(sshd.knownHostsFile, knownHostsFile);
  await appendFile(knownHostsFile, await readFile(host.knownHostsFile));
  return {
    ssh: `ssh://${host.user}@${host.host}:${host.port}`,
    state,
    knownHostsFile,
    stop: async () => {
      await stopShimContainers(state);
      await host.stop();
    },
  };
}
