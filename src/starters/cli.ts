import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/errors.js';
import { registerBackup } from './backup.js';
import { registerBackupsList } from './backups-list.js';
import { registerConfigCheck } from './config-check.js';
import { registerDeploy } from './deploy.js';
import { registerDrill } from './drill.js';
import { registerStatus } from './status.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { registerReleases } from './releases.js';
import { registerRestore } from './restore.js';
import { registerRollback } from './rollback.js';
import { registerSchedules } from './schedules.js';
import { registerUp } from './up.js';
import { registerVerify } from './verify.js';
import { registerWorker } from './worker.js';

const program = new Command('ops')
  .description('Operations orchestrator on Temporal: nightly backups with verify-restore, deploys, drills')
  .option('-c, --config <file>', 'config file (default: $OPS_CONFIG, ./ops.config.yaml, then the bundled example)')
  .option('-v, --verbose', 'show stack traces on errors')
  // Options after a subcommand belong to it (deploy --by vs deploy approve --by).
  .enablePositionalOptions()
  .exitOverride()
  .showHelpAfterError();

registerUp(program);
registerWorker(program);
registerBackup(program);
registerBackupsList(program);
registerVerify(program);
registerRestore(program);
registerConfigCheck(program);
registerDeploy(program);
registerRollback(program);
registerDrill(program);
registerStatus(program);
registerReleases(program);
registerSchedules(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
}

/** The one place errors become a message and an exit code; stacks only with --verbose. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof ConfigError) {
    console.error(`config error: ${err.problems.length} problem${err.problems.length > 1 ? 's' : ''}`);
    for (const problem of err.problems) console.error(`  ${problem}`);
  } else {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (program.opts().verbose && err instanceof Error && err.stack) console.error(err.stack);
  return exitCodeFor(err);
}
