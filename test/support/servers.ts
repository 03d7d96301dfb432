import { inject } from 'vitest';

export interface ServerLogin {
  host: string;
  port: number;
  adminUser: string;
  adminPassword: string;
}

export interface SshLogin {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgres: ServerLogin;
    mariadb: ServerLogin;
    sshd: SshLogin;
    scratchRoot: string;
    /** DOCKER_SHIM_STATE of the docker stand-in that sessions on the test sshd run (test/support/docker-shim). */
    dockerShimState: string;
  }
}

/** The servers test/global-setup.ts started for this run. */
export function testServers() {
  return {
    temporalAddress: inject('temporalAddress'),
    postgres: inject('postgres'),
    mariadb: inject('mariadb'),
    sshd: inject('sshd'),
    scratchRoot: inject('scratchRoot'),
    dockerShimState: inject('dockerShimState'),
  };
}
