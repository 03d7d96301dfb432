import { CommanderError } from 'commander';
import { ConfigError } from '../core/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { createProgram } from './program.js';

const program = await createProgram(process.argv.slice(2));

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
  if (err instanceof ConfigError && err.problems.length === 1) {
    console.error(`config error: ${err.problems[0]}`);
  } else if (err instanceof ConfigError) {
    console.error(`config error: ${err.problems.length} problem${err.problems.length > 1 ? 's' : ''}`);
    for (const problem of err.problems) console.error(`  ${problem}`);
  } else {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (program.opts().verbose && err instanceof Error && err.stack) console.error(err.stack);
  return exitCodeFor(err);
}
