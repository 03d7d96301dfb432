import { execa } from 'execa';
import { resolve } from 'node:path';

export const OPS_BIN = resolve(import.meta.dirname, '../../bin/ops.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `ops` CLI as a user would, in its own process. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await execa('node', [OPS_BIN, ...args], { env: { ...env, OPS_LOG_LEVEL: 'WARN' }, reject: false, stdin: 'ignore', timeout: 180_000 });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
