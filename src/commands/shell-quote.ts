/** Characters a POSIX shell leaves alone: no whitespace, quotes, globs, expansions or operators. */
const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * The one place ops turns argv into a line for a shell to split again: the remote command
 * handed to ssh, and rsync's -e option. Words made only of safe characters stay bare; any
 * other word is single-quoted.
 *
 * A `'` cannot appear inside single quotes, so each run of them is written in double quotes
 * between the single-quoted runs: it's  becomes 'it'"'"'s'. POSIX sh reads that exactly as it
 * reads the more common 'it'\''s', but rsync's -e splitter, which understands quotes and not
 * backslashes, only accepts the first form ("Missing trailing-' in remote-shell command").
 */
export function quoteForShell(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}

function quoteWord(word: string): string {
  // zsh replaces a leading `=` with a command's path (=ls becomes /usr/bin/ls), so quote it too.
  if (SAFE_WORD.test(word) && !word.startsWith('=')) return word;
  if (word === '') return "''";
  return word.replace(/'+|[^']+/g, (run) => (run.startsWith("'") ? `"${run}"` : `'${run}'`));
}
