import { describeCommand, type Command } from '../../commands/command.js';
import { redact, type Secret } from '../../config/secret.js';
import { CommandFailed } from '../../core/errors.js';
import { childFailureMessage, startChild } from './start-child.js';
import { collectTail } from './stderr-tail.js';

export interface RunOptions {
  /** Values to scrub from any message built from the child's output. */
  secrets?: Array<Secret | undefined>;
  /** Whether a failure is the world's fault (retrying may help): a flag, or decided from the exit code. */
  retryable?: boolean | ((exitCode: number | undefined) => boolean);
  cancelSignal?: AbortSignal;
  cwd?: string;
  /** Called with each progress line of a pipeline stage that declares them (Command.progressLine). */
  onProgressLine?: (line: string) => void;
}

/** Runs a command to completion and returns its stdout; a non-zero exit is a CommandFailed, never a silent success. */
export async function runCommand(command: Command, options: RunOptions = {}): Promise<string> {
  const child = startChild(command, {
    env: command.env,
    reject: false,
    stripFinalNewline: false,
    ...(command.input !== undefined ? { input: command.input } : { stdin: 'ignore' as const }),
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const tail = collectTail(child.stderr);
  const result = await child;
  if (result.failed) throw commandFailure(command, result.exitCode, tail() || String(result.stderr ?? '') || childFailureMessage(command, result), options);
  return String(result.stdout ?? '');
}

export function commandFailure(command: Command, exitCode: number | undefined, stderrTail: string, options: Pick<RunOptions, 'secrets' | 'retryable'>): CommandFailed {
  const secrets = options.secrets ?? [];
  const retryable = typeof options.retryable === 'function' ? options.retryable(exitCode) : (options.retryable ?? true);
  return new CommandFailed(redact(describeCommand(command), secrets), exitCode, redact(stderrTail, secrets), retryable, command.file);
}
