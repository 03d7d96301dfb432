import type { Command } from '../../commands/command.js';
import { startChild } from './start-child.js';
import { collectTail } from './stderr-tail.js';

/**
 * Starts `first | second | ...` with each stdout piped into the next stdin. The last stdout is
 * piped for the caller to consume, or ignored. Each child's stderr tail is kept for messages.
 * Every stage dies with the worker, not only the first: a decompressor or an ssh left behind
 * would keep feeding (or reading) the other end. The first stage's own `input` is its stdin.
 */
export function spawnPipeline(commands: Command[], options: { cancelSignal?: AbortSignal | undefined; consumeOutput: boolean }) {
  // A later stage's stdin is the previous stdout: an input of its own would be silently lost.
  const fed = commands.findIndex((command, i) => i > 0 && command.input !== undefined);
  if (fed > 0) throw new Error(`${commands[fed]!.file} is stage ${fed + 1} of a pipeline: its stdin is the previous stage's output, it cannot carry input of its own`);
  const children = commands.map((command, i) =>
    startChild(command, {
      env: command.env,
      reject: false,
      buffer: false,
      ...(i > 0 ? { stdin: 'pipe' as const } : command.input !== undefined ? { input: command.input } : { stdin: 'ignore' as const }),
      stdout: i === commands.length - 1 && !options.consumeOutput ? 'ignore' : 'pipe',
      ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
    }),
  );
  children.slice(1).forEach((child, i) => children[i]!.stdout!.pipe(child.stdin!));
  return { children, tails: children.map((child) => collectTail(child.stderr)) };
}
