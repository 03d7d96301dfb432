import type { Command } from '../../commands/command.js';
import type { RunOptions } from './run-command.js';
import { commandFailure } from './run-command.js';
import { spawnPipeline } from './spawn-pipeline.js';
import { childFailureMessage } from './start-child.js';

/** Runs `first | second | ...` to completion; the first command that exits non-zero fails the whole pipeline. */
export async function runPipeline(commands: Command[], options: RunOptions = {}): Promise<void> {
  const { children, tails } = spawnPipeline(commands, { cancelSignal: options.cancelSignal, consumeOutput: false });
  const results = await Promise.all(children);
  for (const [i, result] of results.entries()) {
    if (result.failed) throw commandFailure(commands[i]!, result.exitCode, tails[i]!() || childFailureMessage(commands[i]!, result), options);
  }
}

/** As runPipeline, and returns the last command's stdout (a small output: it is held in memory). */
export async function pipelineOutput(commands: Command[], options: RunOptions = {}): Promise<string> {
  const { children, tails } = spawnPipeline(commands, { cancelSignal: options.cancelSignal, consumeOutput: true });
  const chunks: Buffer[] = [];
  children.at(-1)!.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const results = await Promise.all(children);
  for (const [i, result] of results.entries()) {
    if (result.failed) throw commandFailure(commands[i]!, result.exitCode, tails[i]!() || childFailureMessage(commands[i]!, result), options);
  }
  return Buffer.concat(chunks).toString('utf8');
}
