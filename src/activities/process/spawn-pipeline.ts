import type { Readable } from 'node:stream';
import type { Command } from '../../commands/command.js';
import type { CommandFailed } from '../../core/errors.js';
import { culpritStage } from '../../core/pipeline-culprit.js';
import { commandFailure, type RunOptions } from './run-command.js';
import { childFailureMessage, startChild } from './start-child.js';
import { collectTail } from './stderr-tail.js';

export interface PipelineOptions {
  cancelSignal?: AbortSignal | undefined;
  /** Where the last stage writes: a pipe for the caller to read, nowhere, or a file descriptor the caller opened. */
  output: 'pipe' | 'ignore' | number;
  /** Called with each progress line of a stage that declares them (Command.progressLine). */
  onProgressLine?: ((line: string) => void) | undefined;
}

/** How a stage ended, as far as naming a failure needs: undefined when its promise rejected instead. */
type StageResult = { failed: boolean; exitCode?: number | undefined; signal?: string | undefined; message?: string; escapedCommand?: string } | undefined;

/**
 * Starts `first | second | ...` with each stdout joined straight to the next stdin, as a shell
 * does: the bytes between stages never pass through this process's one thread, and a stage that
 * stops reading fails the one feeding it at once (SIGPIPE, see culpritStage) instead of leaving it
 * blocked on a pipe nobody reads. The last stdout goes where `output` says.
 * Each child's stderr tail is kept for messages. Every stage dies with the worker, not only the
 * first: a decompressor or an ssh left behind would keep feeding (or reading) the other end. The
 * first stage's own `input` is its stdin.
 */
export function spawnPipeline(commands: Command[], options: PipelineOptions) {
  assertJoinable(commands);
  const children: Array<ReturnType<typeof startStage>> = [];
  for (const [i, command] of commands.entries()) {
    const previous = children[i - 1]?.stdout ?? undefined;
    children.push(startStage(command, previous, i === commands.length - 1 ? options.output : 'pipe', options));
    // The next stage holds its own copy of the pipe now: this process keeps none, so it reads none of it.
    previous?.destroy();
  }
  const tails = children.map((child, i) => collectTail(child.stderr, { progressLine: commands[i]!.progressLine, onProgressLine: options.onProgressLine }));
  /** The failure to report once every stage has ended (see culpritStage), with its stage; undefined when all succeeded. */
  const failure = (results: StageResult[], run: Pick<RunOptions, 'secrets' | 'retryable'>): { stage: number; error: CommandFailed } | undefined => {
    const stage = culpritStage(results.map((result) => result ?? { failed: true }));
    if (stage === undefined) return undefined;
    const command = commands[stage]!;
    const result = results[stage];
    return { stage, error: commandFailure(command, result?.exitCode, tails[stage]!() || childFailureMessage(command, result), run) };
  };
  return { children, tails, failure };
}

/** A later stage's stdin is the previous stdout: an input of its own would be silently lost. */
export function assertJoinable(commands: Command[]): void {
  const fed = commands.findIndex((command, i) => i > 0 && command.input !== undefined);
  if (fed > 0) throw new Error(`${commands[fed]!.file} is stage ${fed + 1} of a pipeline: its stdin is the previous stage's output, it cannot carry input of its own`);
}

function startStage(command: Command, previous: Readable | undefined, stdout: PipelineOptions['output'], options: PipelineOptions) {
  const { input } = command;
  return startChild(command, {
    env: command.env,
    reject: false,
    buffer: false,
    ...(previous ? { stdin: previous } : input !== undefined ? { input } : { stdin: 'ignore' as const }),
    // execa hands any descriptor number straight to the spawn; its types name only 3 to 9.
    stdout: stdout as 'pipe' | 'ignore' | 3,
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
  });
}
