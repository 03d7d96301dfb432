/** A command as completion sees it: its subcommands, and its options with whether each takes a value. */
export interface CompletionNode {
  name: string;
  options: Array<{ flags: string[]; takesValue: boolean }>;
  commands: CompletionNode[];
}

interface Level {
  path: string;
  words: string[];
}

function levels(node: CompletionNode, path = ''): Level[] {
  const words = [...node.commands.map((c) => c.name), ...node.options.flatMap((o) => o.flags)];
  return [{ path, words }, ...node.commands.flatMap((c) => levels(c, `${path}/${c.name}`))];
}

/**
 * A bash completion function for the tree: the words typed so far that name subcommands select the
 * level, whose subcommands and options complete the current word. After an option that takes a value,
 * and where nothing matches, bash completes file names (-o default).
 */
export function bashCompletion(root: CompletionNode): string {
  const all = levels(root);
  const fn = `_${root.name.replace(/[^A-Za-z0-9_]/g, '_')}_completion`;
  const valueFlags = [...new Set(collectValueFlags(root))].sort();
  return [
    `# bash completion for ${root.name}: eval "$(${root.name} completion bash)", e.g. in ~/.bashrc`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" word i',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    word="${COMP_WORDS[i]}"',
    '    case "$path/$word" in',
    ...all.filter((l) => l.path !== '').map((l) => `      '${l.path}') path='${l.path}' ;;`),
    '    esac',
    '  done',
    '  case "$prev" in',
    ...(valueFlags.length > 0 ? [`    ${valueFlags.join('|')}) COMPREPLY=(); return ;;`] : []),
    '  esac',
    '  local words',
    '  case "$path" in',
    ...all.map((l) => `    '${l.path}') words='${l.words.join(' ')}' ;;`),
    '  esac',
    '  COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '}',
    `complete -o default -F ${fn} ${root.name}`,
    '',
  ].join('\n');
}

/** zsh runs the bash function through its bash compatibility layer. */
export function zshCompletion(root: CompletionNode): string {
  return [
    `#compdef ${root.name}`,
    `# zsh completion for ${root.name}: eval "$(${root.name} completion zsh)", e.g. in ~/.zshrc`,
    'autoload -U +X compinit && compinit',
    'autoload -U +X bashcompinit && bashcompinit',
    bashCompletion(root),
  ].join('\n');
}

function collectValueFlags(node: CompletionNode): string[] {
  return [...node.options.filter((o) => o.takesValue).flatMap((o) => o.flags), ...node.commands.flatMap(collectValueFlags)];
}
