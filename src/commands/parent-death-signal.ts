import type { Command } from './command.js';

/**
 * Watches the tool for its whole process group. Its parent is the tool itself (see LAUNCHER), and
 * the kernel sends it SIGWINCH when that parent ends, for any reason: the tool exited, or died with
 * the worker. It then kills the group, so what the tool started in turn (pg_restore --jobs's
 * workers, which the kernel's parent-death signal of the tool does not reach) ends with it.
 * SIGWINCH because its default action is to ignore: one that comes before the trap is set is lost
 * instead of killing the watchdog unheard, and the parent check right after the trap catches it.
 * /proc/$$/stat's fourth field is the watchdog's parent now, where $PPID is the one at its start.
 */
const WATCHDOG = [
  'leader=$1',
  "trap 'kill -KILL 0' WINCH",
  'read -r stat </proc/$$/stat',
  'set -- $stat',
  '[ "$4" = "$leader" ] || kill -KILL 0',
  'while :; do sleep 3600 & wait; done',
].join('\n');

/**
 * Runs in the process the worker started (the leader of a process group of its own: start-child
 * spawns it detached). It starts the watchdog in the background, with no stdio (the caller's pipes
 * must close when the tool ends), then execs the tool in its own place through setpriv: same pid,
 * env, stdin, stdout, stderr and exit status, and SIGKILL from the kernel when the worker dies, even
 * by SIGKILL or the OOM killer, which leave no time to clean up.
 */
const LAUNCHER = 'setpriv --pdeathsig WINCH -- sh -c "$0" ops-group-watchdog "$$" </dev/null >/dev/null 2>&1 & exec setpriv --pdeathsig KILL -- "$@"';

/**
 * The command run so that it, and every process it starts, dies with the process that started it
 * (the worker): an orphaned pg_restore would otherwise keep loading into a scratch database nobody
 * will drop, its parallel workers keep their table locks, and an orphaned pg_dump keep a snapshot
 * open. The tool's name and arguments travel as sh's positional parameters, never in the script,
 * so they are never parsed by the shell; `--` ends setpriv's options, so they are never read as its own.
 */
export function dieWithParent(command: Command): Command {
  return { ...command, file: 'sh', args: ['-c', LAUNCHER, WATCHDOG, command.file, ...command.args] };
}
