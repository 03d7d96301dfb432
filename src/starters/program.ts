import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { colourWanted, paint } from '../core/colour.js';
import { acceptGlobalOptionsAnywhere } from './global-options.js';
import { invokedVerb } from './invoked-verb.js';
import { VERBS } from './verbs.js';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/**
 * The `ops` command tree. Given the arguments, only the verb they run is loaded and every other
 * verb is a name and a summary for the help; without them (completion scripts) every verb loads.
 */
export async function createProgram(args?: readonly string[]): Promise<Command> {
  const outColour = colourWanted(process.env, process.stdout.isTTY === true);
  const errColour = colourWanted(process.env, process.stderr.isTTY === true);
  const program = new Command('ops')
    .description('Operations orchestrator on Temporal: nightly backups with verify-restore, deploys, drills')
    .version(packageVersion(), '-V, --version', 'print the version of ops')
    .option('-c, --config <file>', 'config file (default: $OPS_CONFIG, ./ops.config.yaml, then the bundled example)')
    .option('-v, --verbose', 'show stack traces on errors')
    // Options after a subcommand belong to it (deploy --by vs deploy approve --by).
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ getOutHasColors: () => outColour, getErrHasColors: () => errColour })
    .configureHelp({ styleTitle: (title) => paint(title, 'bold', true) });

  const valueFlags = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined)));
  const verb = args === undefined ? undefined : invokedVerb(args, valueFlags);
  // Stand-ins for the verbs not loaded: their names and summaries, for the help and for suggestions.
  const placeholders = new Set<Command>();
  for (const { name, summary, load } of VERBS) {
    if (args === undefined || name === verb) (await load())(program);
    else placeholders.add(program.command(name).summary(summary));
  }
  acceptGlobalOptionsAnywhere(program, placeholders);
  return program;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
}
