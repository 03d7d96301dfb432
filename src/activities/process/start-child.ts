import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { execa, type Options } from 'execa';
import { describeCommand, type Command } from '../../commands/command.js';
import { dieWithParent } from '../../commands/parent-death-signal.js';
import { findExecutable } from './find-executable.js';

/**
 * Starts a command's tool as a child that dies with this process (see dieWithParent): every
 * process an activity runs is started here, so none outlives a worker killed mid-step.
 *
 * A tool that cannot be found is started as it is, without setpriv: the spawn then fails with
 * ENOENT naming the tool, as it always did, instead of setpriv's exit 127 and its own message.
 */
export function startChild<const O extends Options>(command: Command, options: O) {
  const spawned = canRun(command.file, options) ? dieWithParent(command) : command;
  return execa(spawned.file, spawned.args, options);
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
 * command as the caller gave it rather than the setpriv line it ran as.
 */
export function childFailureMessage(command: Command, result: { message?: string; escapedCommand?: string } | undefined): string {
  const message = result?.message ?? '';
  return result?.escapedCommand ? message.replaceAll(result.escapedCommand, describeCommand(command)) : message;
}
