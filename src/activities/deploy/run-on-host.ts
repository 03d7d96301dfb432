import { sshCommand } from '../../commands/ssh.js';
import type { OpsConfig } from '../../config/load-config.js';
import type { Secret } from '../../config/secret.js';
import { runCommand } from '../process/run-command.js';
import type { StageTarget } from './stage-target.js';

export interface HostRunOptions {
  input?: string;
  cancelSignal?: AbortSignal;
  secrets?: Secret[];
}

/** ssh exits 255 for its own failures (unreachable, refused, auth); any other code is the remote command's. */
const SSH_FAILED = 255;

/** Runs an argv on the stage's host through the system ssh client (keys, known_hosts, ProxyJump from ssh config). */
export function runOnHost(config: OpsConfig, target: StageTarget, argv: string[], options: HostRunOptions = {}): Promise<string> {
  return runCommand(sshCommand(config.ssh, target.host, argv), {
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
    secrets: options.secrets ?? [],
    retryable: (exitCode) => exitCode === SSH_FAILED,
  });
}
