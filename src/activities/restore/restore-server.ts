import type { OpsConfig } from '../../config/load-config.js';
import type { DatabaseTarget } from '../../config/target.js';
import { PreconditionFailed } from '../../core/errors.js';
import type { RestoreServer } from '../verify/restore-outcome.js';

/**
 * The server a restore goes onto: the target's own (as the target's user), or with `--server NAME`
 * the config's `restore.servers.NAME`, whose password is resolved here on the worker like every
 * other secret, so it never travels in argv or the workflow's history. Connections go to the
 * maintenance database: the target's own may be the one lost.
 */
export function restoreServerOf(config: OpsConfig, target: DatabaseTarget, name: string | undefined): RestoreServer {
  const maintenance = target.kind === 'postgres' ? 'postgres' : '';
  // Its url names the server as the ssh host or the compose service sees it, which from here may be another server altogether.
  if (name === undefined && (target.via || target.exec)) {
    throw new PreconditionFailed(`target "${target.name}" is reached ${target.via ? 'through an ssh tunnel (via)' : 'inside a compose service (exec)'}, which restore does not do: restore with --server NAME (restore.servers)`);
  }
  if (name === undefined) return { url: { ...target.url, database: maintenance }, password: target.password };
  const server = config.restore.servers[name];
  if (!server) throw new PreconditionFailed(`--server ${name}: no restore.servers.${name} in the worker's config (the run's steps read the config of the worker that runs them)`);
  if (server.url.engine !== target.kind) throw new PreconditionFailed(`--server ${name} is a ${server.url.engine} server; target "${target.name}" is ${target.kind}`);
  return { url: { ...server.url, database: server.url.database || maintenance }, password: server.password };
}
