import type { Command } from 'commander';
import { databaseAccessProblems } from '../activities/databases/database-access.js';
import { identityPublicKeys } from '../activities/encryption/artifact-identity.js';
import { openOffsiteStore, storeAnswer } from '../activities/offsite/offsite-store.js';
import { describeAddress } from '../config/database-url.js';
import { pendingDemoSecretsNote } from '../config/demo-secrets.js';
import type { OpsConfig } from '../config/load-config.js';
import { describeReach, isDatabase } from '../config/target.js';
import { matchingRecipients } from '../core/age-recipients.js';
import { encryptionSummary, type IdentityState } from '../core/encryption-summary.js';
import { ConfigError } from '../core/errors.js';
import { configFileFrom, loadCliConfig, type GlobalOptions } from './cli-context.js';
import { RunFailed } from './exit-codes.js';

export function registerConfigCheck(program: Command): void {
  const config = program.commands.find((c) => c.name() === 'config') ?? program.command('config').description('work with the config file');
  config
    .command('check')
    .description('validate the config and list every problem; exit 2 when invalid')
    .option('--connect', 'also connect to every database target as its role and list what a dump could not reach or read, and ask every offsite destination what a copy asks first; exit 1 if any fails')
    .action(async (opts: { connect?: boolean }) => {
      const options = program.opts<GlobalOptions>();
      const loaded = loadCliConfig(options, 'require');
      const encryption = loaded.backup.encryption;
      const identity = await identityState(encryption);
      console.log(`${configFileFrom(options)}: OK`);
      console.log(`  targets: ${loaded.targets.map((t) => `${t.name} (${t.kind})`).join(', ') || 'none'}`);
      const filesTargets = loaded.targets.filter((t) => !isDatabase(t)).map((t) => t.name);
      for (const line of encryptionSummary({ recipients: encryption?.recipients, identity, filesTargets })) console.log(`  ${line}`);
      const pending = pendingDemoSecretsNote(loaded);
      if (pending) console.log(`  note: ${pending}`);
      if (!opts.connect) return;
      const databases = loaded.targets.filter(isDatabase);
      let failing = 0;
      for (const target of databases) {
        const problems = await databaseAccessProblems(target, loaded.ssh);
        if (problems.length > 0) failing += 1;
        if (problems.length === 0) console.log(`  ${target.name}: OK as ${describeAddress(target.url)}${describeReach(target) ? ` (${describeReach(target)})` : ''}`);
        for (const problem of problems) console.log(`  ${target.name}: ${problem}`);
      }
      // A wrong key, a missing bucket, a wrong region or an endpoint that does not answer: found now, not at the night's copy.
      let unreachable = 0;
      for (const destination of loaded.backup.offsite) {
        const store = await openOffsiteStore(loaded, destination);
        const problem = await store.probe().then(() => undefined, (err: unknown) => storeAnswer(store, err).answer);
        if (problem) unreachable += 1;
        console.log(`  offsite ${problem ?? `${store.name}: OK`}`);
      }
      const faults = [
        ...(failing > 0 ? [`${failing} of ${databases.length} database targets would fail their dump`] : []),
        ...(unreachable > 0 ? [`${unreachable} of ${loaded.backup.offsite.length} offsite destinations would fail their copy`] : []),
      ];
      if (faults.length > 0) throw new RunFailed(`${faults.join('; ')} (listed above)`);
    });
}

/** Whether this host's identity reads what it backs up; one that holds no age identity at all is a config error. */
async function identityState(encryption: OpsConfig['backup']['encryption']): Promise<IdentityState> {
  const identity = encryption?.identityFile;
  if (!encryption || !identity) return 'none';
  const publicKeys = await identityPublicKeys(identity);
  if (!publicKeys) throw new ConfigError([`backup.encryption.identityFile: ${identity.source} holds no age identity (an AGE-SECRET-KEY-1… line, as age-keygen writes it)`]);
  return matchingRecipients(publicKeys, encryption.recipients).length > 0 ? 'reads' : 'matches-none';
}
