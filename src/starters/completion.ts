import type { Command } from 'commander';
import { bashCompletion, zshCompletion, type CompletionNode } from '../core/completion-script.js';
import { UsageError } from './exit-codes.js';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion } as const;

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a completion script for bash or zsh: eval "$(ops completion bash)" in ~/.bashrc')
    .argument('<shell>', Object.keys(SHELLS).join(' or '))
    .action(async (shell: string) => {
      const render = SHELLS[shell as keyof typeof SHELLS];
      if (!render) throw new UsageError(`completion: unknown shell "${shell}" (bash or zsh)`);
      // The script lists every verb, so the whole tree is loaded here, once, not at each Tab.
      const { createProgram } = await import('./program.js');
      process.stdout.write(render(completionTree(await createProgram())));
    });
}

function completionTree(command: Command): CompletionNode {
  return {
    name: command.name(),
    options: [
      ...command.options.filter((o) => !o.hidden).map((o) => ({ flags: [o.short, o.long].filter((f): f is string => f !== undefined), takesValue: o.required || o.optional })),
      // commander adds the help option itself, outside `options`.
      { flags: ['-h', '--help'], takesValue: false },
    ],
    commands: command.commands.map(completionTree),
  };
}
