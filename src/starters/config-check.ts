import type { Command } from 'commander';
import { pendingDemoSecretsNote } from '../config/demo-secrets.js';
import { configFileFrom, loadCliConfig, type GlobalOptions } from './cli-context.js';

export function registerConfigCheck(program: Command): void {
  const config = program.commands.find((c) => c.name() === 'config') ?? program.command('config').description('work with the config file');
  config
    .command('check')
    .description('validate the config and list every problem; exit 2 when invalid')
    .action(() => {
      const options = program.opts<GlobalOptions>();
      const loaded = loadCliConfig(options, 'require');
      console.log(`${configFileFrom(options)}: OK`);
      console.log(`  targets: ${loaded.targets.map((t) => `${t.name} (${t.kind})`).join(', ') || 'none'}`);
      const pending = pendingDemoSecretsNote(loaded);
      if (pending) console.log(`  note: ${pending}`);
    });
}
