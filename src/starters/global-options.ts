import { Option, type Command } from 'commander';

/**
 * Lets the program's own options follow any verb, nested ones too (`ops config check --config
 * x.yaml`, `ops deploy approve crm -v`): each subcommand declares them as well, and before an
 * action runs the value given nearest to it is set on the program, where the verbs read it.
 * Positional options stay on, so `deploy --by` and `deploy approve --by` remain distinct.
 */
export function acceptGlobalOptionsAnywhere(program: Command, placeholders: ReadonlySet<Command> = new Set()): void {
  const globals = program.options.filter((option) => option.long !== '--version' && option.long !== '--help');
  const declare = (command: Command) => {
    for (const sub of command.commands) {
      if (placeholders.has(sub)) continue;
      for (const option of globals) {
        // A verb's own option of the same flag wins: it is the one its help documents.
        if (sub.options.some((own) => own.long === option.long || (option.short && own.short === option.short))) continue;
        sub.addOption(new Option(option.flags, option.description));
      }
      declare(sub);
    }
  };
  declare(program);
  program.hook('preAction', (root, action) => {
    for (const option of globals) {
      const key = option.attributeName();
      for (let command: Command | null = action; command && command !== root; command = command.parent) {
        const value: unknown = command.getOptionValue(key);
        if (value === undefined) continue;
        root.setOptionValueWithSource(key, value, 'cli');
        break;
      }
    }
  });
}
