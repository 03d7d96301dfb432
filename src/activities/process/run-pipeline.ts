import type { Command } from '../../commands/command.js';
import type { RunOptions } from './run-command.js';
import { spawnPipeline } from './spawn-pipeline.js';

/** Runs `first | second | ...` to completion; a stage that fails fails the whole pipeline (see spawnPipeline for which one is named). */
export async function runPipeline(commands: Command[], options: RunOptions = {}): Promise<void> {
  const { children, failure } = spawnPipeline(commands, { cancelSignal: options.cancelSignal, output: 'ignore', onProgressLine: options.onProgressLine });
  const failed = failure(await Promise.all(children), options);
  if (failed) throw failed.error;
}

/** As runPipeline, and returns the last command's stdout (a small output: it is held in memory). */
export async function pipelineOutput(commands: Command[], options: RunOptions = {}): Promise<string> {
  const { children, failure } = spawnPipeline(commands, { cancelSignal: options.cancelSignal, output: 'pipe' });
  const chunks: Buffer[] = [];
  children.at(-1)!.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
  const failed = failure(await Promise.all(children), options);
  if (failed) throw failed.error;
  return Buffer.concat(chunks).toString('utf8');
}
