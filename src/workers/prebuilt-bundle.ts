import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

const BUILDER = new URL('./build-workflow-bundle.ts', import.meta.url).pathname;

/** Bundles the workflows in a child process and returns the bundle's path, for `workflowBundle: { codePath }`. */
export async function buildWorkflowBundle(stateDir: string): Promise<string> {
  await mkdir(stateDir, { recursive: true });
  const codePath = join(stateDir, 'workflow-bundle.js');
  await execa(process.execPath, ['--import', 'tsx', BUILDER, codePath], { stdio: ['ignore', 'inherit', 'inherit'] });
  return codePath;
}
