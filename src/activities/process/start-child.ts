import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { execa, type Options } from 'execa';
import { describeCommand, type Command } from '../../commands/command.js';
import { dieWithParent } from '../../commands/parent-death-signal.js';
import { findExecutable } from './find-executable.js';

/**
 * Starts a command's tool as a child that dies with this process, with everything it starts (see
 * dieWithParent): every process an activity runs is started here, so none outlives a worker killed
 * mid-step. The tool leads a process group of its own, and stopping it (a cancel, execa's timeout,
 * a caller's kill) sends SIGKILL to that whole group: a signal to the tool alone would leave its
 * children running (pg_restore --jobs's workers, holding their table locks until their COPY ends).
 * Every caller that stops a tool throws away what it was doing, so nothing is owed a graceful exit.
 *
 * A group of its own is also out of reach of a terminal's Ctrl-C, which goes to the worker only: the
 * worker's orderly stop cancels the step (the kill above), and its exit ends the rest (the watchdog).
 *
 * A tool that cannot be found is started as it is, without the wrapper: the spawn then fails with
 * ENOENT naming the tool, as it always did, instead of setpriv's exit 127 and its own message.
 */
export function startChild<const O extends Options>(command: Command, options: O) {
  if (!canRun(command.file, options)) return execa(command.file, command.args, options);
  const spawned = dieWithParent(command);
  const child = execa(spawned.file, spawned.args, { ...options, detached: true });
  // execa stops a child (cancelSignal, timeout, kill()) through this method: it now reaches the group.
  child.kill = killGroupOf(child as unknown as ChildProcess) as typeof child.kill;
  return child;
}

/**
 * SIGKILL to the child's process group, sent only while the child (its leader) is not yet reaped:
 * after that its watchdog has killed the group, and the group's id is free for the system to reuse.
 */
function killGroupOf(child: ChildProcess): () => boolean {
  return () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
    try {
      process.kill(-child.pid, 'SIGKILL');
      return true;
    } catch {
      // ESRCH: the group ended meanwhile.
      return false;
    }
  };
}

/** Where the spawn would look: a path is taken from the child's cwd, a bare name from its PATH. */
function canRun(file: string, options: Options): boolean {
  if (!file.includes('/')) {
    const env = options.env as Record<string, string | undefined> | undefined;
    return findExecutable([file], env?.PATH ?? process.env.PATH ?? '') !== undefined;
  }
  try {
    accessSync(resolve(typeof options.cwd === 'string' ? options.cwd : process.cwd(), file), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * execa's own account of a failed child (for a tool that wrote nothing to stderr), naming the
 * command as the caller gave it rather than the wrapper's line it ran as.
 */
export function childFailureMessage(command: Command, result: { message?: string; escapedCommand?: string } | undefined): string {
  const message = result?.message ?? '';
  // A function, not a string: `$$` or `$&` in the command line are not replacement patterns.
  return result?.escapedCommand ? message.replaceAll(result.escapedCommand, () => describeCommand(command)) : message;
}
