/**
 * The one line the Temporal Web UI shows for a run (its static summary), so a timeline of
 * children reads on its own: "backup crm-db", "deploy crm main → staging, prod". Built here once
 * for the workflows (their children), the CLI (the runs it starts) and the schedules.
 */
export const runSummary = {
  nightlyBackup: (input: { targets?: string[] }) => `backup ${input.targets?.length ? input.targets.join(', ') : 'all targets'}`,
  backupTarget: (target: string) => `backup ${target}`,
  verify: (backupId: string) => `verify ${backupId}`,
  restore: (target: string, pick: string) => `restore ${target} (${pick})`,
  restoreDrill: (input: { target?: string; pick?: string }) => `drill ${input.target ?? 'any target'} (${input.pick ?? 'random'})`,
  deploy: (input: { app: string; ref: string; stages?: string[] }) => `deploy ${input.app} ${input.ref}${input.stages?.length ? ` → ${input.stages.join(', ')}` : ''}`,
  rollback: (input: { app: string; stage: string; to?: string }) => `rollback ${input.app} on ${input.stage}${input.to ? ` to ${input.to.slice(0, 12)}` : ''}`,
  prune: (input: { app: string; stage: string; dryRun: boolean }) => `prune ${input.app} on ${input.stage}${input.dryRun ? ' (dry run)' : ''}`,
  backupWatchdog: () => 'backup watchdog',
  reencrypt: (input: { target?: string; backupId?: string }) => `reencrypt ${input.backupId ?? input.target ?? 'all targets'}`,
  deployLock: (input: { app: string; by: string; reason: string }) => `deploys of ${input.app} locked by ${input.by}: ${input.reason}`,
};

/**
 * A scheduled run's summary: what it does, from the declared args (unchecked by the config
 * schema, so read defensively), and which schedule started it.
 */
export function scheduledRunSummary(scheduleId: string, workflow: string, args: Record<string, unknown> = {}): string {
  const text = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
  const list = (key: string) => (Array.isArray(args[key]) ? (args[key] as unknown[]).map(String) : undefined);
  const what: Record<string, () => string> = {
    nightlyBackup: () => runSummary.nightlyBackup({ targets: list('targets') }),
    restoreDrill: () => runSummary.restoreDrill({ target: text('target'), pick: text('pick') }),
    backupWatchdog: () => runSummary.backupWatchdog(),
    deployPipeline: () => runSummary.deploy({ app: text('app') ?? '?', ref: text('ref') ?? '?', stages: list('stages') }),
  };
  return `${what[workflow]?.() ?? workflow} (schedule ${scheduleId})`;
}

