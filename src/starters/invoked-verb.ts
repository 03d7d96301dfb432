/**
 * The verb an `ops` argument list runs: its first operand, past the program's options (and the
 * values of those that take one) and past `help`. Undefined when the program itself is asked for
 * (no verb, `--help` before any verb): then only the list of verbs is needed, none of their code.
 */
export function invokedVerb(args: readonly string[], valueFlags: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (arg === '-h' || arg === '--help') return undefined;
    if (arg.startsWith('--')) {
      if (valueFlags.has(arg)) i++;
    } else if (arg.startsWith('-') && arg.length > 1) {
      // Short flags combine (-vc file); the first that takes a value takes the rest, or the next argument.
      const valueAt = [...arg.slice(1)].findIndex((flag) => valueFlags.has(`-${flag}`));
      if (valueAt === arg.length - 2) i++;
    } else if (arg !== 'help') {
      return arg;
    }
  }
  return undefined;
}
