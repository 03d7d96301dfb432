import { gitChangedPaths, gitTreePaths } from '../../commands/git.js';
import type { OpsConfig } from '../../config/load-config.js';
import { findApp } from '../../config/lookups.js';
import { CommandFailed, PreconditionFailed } from '../../core/errors.js';
import { migrationNeed, type MigrationNeed } from '../../core/migration-need.js';
import { runCommand } from '../process/run-command.js';

export interface PlanMigrationInput {
  app: string;
  /** The release the stage runs now; null on a first deploy, when every path of the new one counts as changed. */
  from: string | null;
  to: string;
  forced: boolean;
}

/**
 * Whether the stage migrates: `--migrate`, or a path matching `migrate.when.paths` changed between
 * the running release and the new one (git in the app's repository on the orchestrator). Only the
 * decision leaves the activity: a diff's full path list could be large for a workflow payload.
 */
export async function planMigration(config: OpsConfig, input: PlanMigrationInput): Promise<MigrationNeed> {
  const app = findApp(config, input.app);
  if (!app.migrate) throw new PreconditionFailed(`app "${app.name}" has no migrate: in the config`);
  const globs = app.migrate.when?.paths;
  if (input.forced || !globs) return migrationNeed({ forced: input.forced, ...(globs ? { globs } : {}), changed: [] });
  const command = input.from ? gitChangedPaths(app.repository, input.from, input.to) : gitTreePaths(app.repository, input.to);
  let listing: string;
  try {
    listing = await runCommand(command, { retryable: false });
  } catch (err) {
    // Usually a running release that is not a commit of this repository (history rewritten, another repo): nothing can tell what changed.
    if (err instanceof CommandFailed) {
      throw new PreconditionFailed(`app "${app.name}": cannot tell whether ${globs.join(', ')} changed since the running release ${input.from ?? ''} in ${app.repository} (${err.message}); deploy with --migrate to run the migration anyway`);
    }
    throw err;
  }
  return migrationNeed({ forced: false, globs, changed: listing.split('\0').filter(Boolean) });
}
