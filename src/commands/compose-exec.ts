import type { Command } from './command.js';
import { sshCommand, type SshHost, type SshSettings } from './ssh.js';

/** A database target's `exec`: the compose service, on a host reached with ssh, whose container has the database tools. */
export interface ServiceExec {
  host: SshHost;
  project: string;
  service: string;
}

/**
 * The shell script the tool starts under inside the service. It exports each `NAME=value` line it
 * reads from stdin until an empty line, then execs the tool, whose stdin is whatever follows.
 * `read` takes a pipe one byte at a time, so nothing meant for the tool is consumed.
 */
const ENV_FROM_STDIN = 'while IFS= read -r line && [ -n "$line" ]; do export "$line"; done; exec "$@"';

/**
 * `ssh host docker compose -p P exec -T S sh -c <script> ops-exec tool args…`. The tool's env (its
 * password among it) travels on the session's stdin, never on an argv: not the worker's ssh
 * command line, not the remote shell's, not docker's. `exec -e NAME=value` would put the value on
 * both, and `-e NAME` would need it in the ssh session's environment (AcceptEnv, off by default).
 * The tool's own input, if any, follows the env lines. -T: no TTY, so binary output stays intact.
 */
export function inService(ssh: SshSettings, exec: ServiceExec, tool: Command): Command {
  const envLines = Object.entries(tool.env ?? {}).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`cannot pass variable "${name}" into the service`);
    if (/[\n\0]/.test(value)) throw new Error(`${name} holds a line break, which cannot be passed into the service on stdin`);
    return `${name}=${value}\n`;
  });
  const remote = ['docker', 'compose', '-p', exec.project, 'exec', '-T', exec.service, 'sh', '-c', ENV_FROM_STDIN, 'ops-exec', tool.file, ...tool.args];
  return { ...sshCommand(ssh, exec.host, remote), input: `${envLines.join('')}\n${tool.input ?? ''}` };
}
