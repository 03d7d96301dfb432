import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';

const BUILDER = new URL('./build-workflow-bundle.ts', import.meta.url).pathname;
/** tsx as this install has it: `--import tsx` would look for it from the working directory, which a service's need not be. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Bundles the workflows in a child process and returns the bundle's path, for `workflowBundle: { codePath }`.
 * Aborting `signal` kills the bundler: a worker stopped during start-up need not wait for it.
 */
export async function buildWorkflowBundle(stateDir: string, signal?: AbortSignal): Promise<string> {
  await mkdir(stateDir, { recursive: true });
  const codePath = join(stateDir, 'workflow-bundle.js');
  await execa(process.execPath, ['--import', TSX, BUILDER, codePath], { stdio: ['ignore', 'inherit', 'inherit'], ...(signal ? { cancelSignal: signal } : {}) });
  return codePath;
}
