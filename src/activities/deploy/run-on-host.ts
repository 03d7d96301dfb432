import { sshCommand } from '../../commands/ssh.js';
import { configSecrets } from '../../config/config-secrets.js';
import type { OpsConfig } from '../../config/load-config.js';
import type { Secret } from '../../config/secret.js';
import { CommandFailed } from '../../core/errors.js';
import { runCommand } from '../process/run-command.js';
import type { StageTarget } from './stage-target.js';

export interface HostRunOptions {
  /** The remote command's stdin (a secret file's contents, a log line). */
  input?: string;
  cancelSignal?: AbortSignal;
  /** Scrubbed from a failure besides every secret of the config. */
  secrets?: Secret[];
  /** Names the remote command in a failure, e.g. "docker compose build"; default its first word. */
  what?: string;
}

/** ssh exits 255 for its own failures (unreachable, refused, auth); any other code is the remote command's. */
const SSH_FAILED = 255;

/**
 * Runs an argv on the stage's host through the system ssh client (keys, known_hosts, ProxyJump from ssh config).
 * A failure's stderr tail is scrubbed of every secret in the config: build output and container logs
 * may print the stage's DB password, and the tail goes into workflow history, the report and releases.log.
 */
export async function runOnHost(config: OpsConfig, target: StageTarget, argv: string[], options: HostRunOptions = {}): Promise<string> {
  try {
    return await runCommand({ ...sshCommand(config.ssh, target.host, argv), ...(options.input !== undefined ? { input: options.input } : {}) }, {
      ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
      secrets: [...configSecrets(config), ...(options.secrets ?? [])],
      retryable: (exitCode) => exitCode === SSH_FAILED,
    });
  } catch (err) {
    // ssh passes the remote command's exit code on: that failure is the command's, and saying "ssh failed" would send people to check the connection.
    if (err instanceof CommandFailed && err.exitCode !== undefined && err.exitCode !== SSH_FAILED) {
      throw new CommandFailed(err.command, err.exitCode, err.stderrTail, err.retryable, `${options.what ?? argv[0]} on ${target.hostName}`);
    }
    throw err;
  }
}
