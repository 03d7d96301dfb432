import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gitArchive, gitResolveCommit, tarExtract } from '../../commands/git.js';
import type { OpsConfig } from '../../config/load-config.js';
import { findApp } from '../../config/lookups.js';
import { CommandFailed, PreconditionFailed } from '../../core/errors.js';
import { runCommand } from '../process/run-command.js';
import { runPipeline } from '../process/run-pipeline.js';

/** The commit SHA a ref names in the app's repository; an unknown ref is the caller's mistake, not retryable. */
export async function resolveRef(config: OpsConfig, input: { app: string; ref: string }): Promise<{ sha: string }> {
  const app = findApp(config, input.app);
  if (!existsSync(app.repository)) throw new PreconditionFailed(`app "${app.name}": repository ${app.repository} does not exist`);
  try {
    const sha = (await runCommand(gitResolveCommit(app.repository, input.ref), { retryable: false })).trim();
    return { sha };
  } catch (err) {
    if (err instanceof CommandFailed) throw new PreconditionFailed(`app "${app.name}": ref "${input.ref}" does not name a commit in ${app.repository}`);
    throw err;
  }
}

/** A clean export of the commit on the orchestrator (git archive), built under a partial name and renamed when complete. */
export async function prepareRelease(config: OpsConfig, input: { app: string; sha: string }): Promise<{ dir: string }> {
  const app = findApp(config, input.app);
  const dir = join(config.stateDir, 'releases', app.name, input.sha);
  if (existsSync(dir)) return { dir };
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    await runPipeline([gitArchive(app.repository, input.sha), tarExtract(partial)], { retryable: false });
    await rename(partial, dir);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
  return { dir };
}
