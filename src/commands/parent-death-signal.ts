import type { Command } from './command.js';

/**
 * The command run so that the kernel sends it SIGKILL when the process that started it (the
 * worker) dies, even by SIGKILL or the OOM killer, which leave no time to clean up: an orphaned
 * pg_restore would otherwise keep loading into a scratch database nobody will drop, and an orphaned
 * pg_dump keep a snapshot open. setpriv (util-linux, on every Debian and Ubuntu) sets
 * PR_SET_PDEATHSIG and execs the tool in its own place: same pid, env, stdio and exit status.
 * `--` ends setpriv's options, so a tool's name or arguments are never read as its own.
 */
export function dieWithParent(command: Command): Command {
  return { ...command, file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', command.file, ...command.args] };
}
