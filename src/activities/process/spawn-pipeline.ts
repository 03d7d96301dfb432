import type { Readable } from 'node:stream';
import type { Command } from '../../commands/command.js';
import { startChild } from './start-child.js';
import { collectTail } from './stderr-tail.js';

export interface PipelineOptions {
  cancelSignal?: AbortSignal | undefined;
  consumeOutput: boolean;
  /**
   * Join each stdout straight to the next stdin, as a shell does, instead of through this process:
   * the bytes between stages then never cost this process's one thread. A stage that stops reading
   * then fails the one feeding it at once (see culpritStage), where through this process the
   * feeder would wait on a pipe nobody reads.
   */
  direct?: boolean;
}

/**
 * Starts `first | second | ...` with each stdout piped into the next stdin. The last stdout is
 * piped for the caller to consume, or ignored. Each child's stderr tail is kept for messages.
 * Every stage dies with the worker, not only the first: a decompressor or an ssh left behind
 * would keep feeding (or reading) the other end. The first stage's own `input` is its stdin.
 */
export function spawnPipeline(commands: Command[], options: PipelineOptions) {
  // A later stage's stdin is the previous stdout: an input of its own would be silently lost.
  const fed = commands.findIndex((command, i) => i > 0 && command.input !== undefined);
  if (fed > 0) throw new Error(`${commands[fed]!.file} is stage ${fed + 1} of a pipeline: its stdin is the previous stage's output, it cannot carry input of its own`);
  const children: Array<ReturnType<typeof startStage>> = [];
  for (const [i, command] of commands.entries()) {
    const previous = options.direct ? (children[i - 1]?.stdout ?? undefined) : undefined;
    children.push(startStage(command, i, previous, i === commands.length - 1 && !options.consumeOutput ? 'ignore' : 'pipe', options));
    // The next stage holds its own copy of the pipe now: this process keeps none, so it reads none of it.
    previous?.destroy();
  }
  if (!options.direct) children.slice(1).forEach((child, i) => children[i]!.stdout!.pipe(child.stdin!));
  return { children, tails: children.map((child) => collectTail(child.stderr)) };
}

function startStage(command: Command, i: number, previous: Readable | undefined, stdout: 'ignore' | 'pipe', options: PipelineOptions) {
  const { input } = command;
  return startChild(command, {
    env: command.env,
    reject: false,
    buffer: false,
    ...(previous ? { stdin: previous } : i > 0 ? { stdin: 'pipe' as const } : input !== undefined ? { input } : { stdin: 'ignore' as const }),
    stdout,
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
  });
}
