import { execa } from 'execa';
import type { Command } from '../../commands/command.js';
import type { RunOptions } from './run-command.js';
import { commandFailure } from './run-command.js';
import { collectTail } from './stderr-tail.js';

/** Runs `first | second | ...` to completion; the first command that exits non-zero fails the whole pipeline. */
export async function runPipeline(commands: Command[], options: RunOptions = {}): Promise<void> {
  const children = commands.map((command, i) =>
    execa(command.file, command.args, {
      env: command.env,
      reject: false,
      buffer: false,
      stdin: i === 0 ? 'ignore' : 'pipe',
      stdout: i === commands.length - 1 ? 'ignore' : 'pipe',
      ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
    }),
  );
  children.slice(1).forEach((child, i) => children[i]!.stdout!.pipe(child.stdin!));
  const tails = children.map((child) => collectTail(child.stderr));
  const results = await Promise.all(children);
  for (const [i, result] of results.entries()) {
    if (result.failed) throw commandFailure(commands[i]!, result.exitCode, tails[i]!() || (result.message ?? ''), options);
  }
}
