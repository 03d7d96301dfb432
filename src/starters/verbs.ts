import type { Command } from 'commander';

/**
 * Every verb with the one line `ops --help` shows for it. A verb's module (and the Temporal client,
 * worker or database drivers it imports) loads only when that verb runs, so that `ops --help` and
 * the verbs that only read files start at once.
 */
export interface Verb {
  name: string;
  summary: string;
  load(): Promise<(program: Command) => void>;
}

export const VERBS: readonly Verb[] = [
  { name: 'up', summary: 'run everything on this machine: Temporal, demo databases, the worker and /metrics', load: async () => (await import('./up.js')).registerUp },
  { name: 'worker', summary: 'run a worker for the configured Temporal, with the metrics endpoint', load: async () => (await import('./worker.js')).registerWorker },
  { name: 'backup', summary: 'run the backup chain now', load: async () => (await import('./backup.js')).registerBackup },
  { name: 'backups', summary: 'the backups in the local repository', load: async () => (await import('./backups-list.js')).registerBackupsList },
  { name: 'verify', summary: 'verify-restore one backup into a scratch database', load: async () => (await import('./verify.js')).registerVerify },
  { name: 'config', summary: 'work with the config file', load: async () => (await import('./config-check.js')).registerConfigCheck },
  { name: 'deploy', summary: 'promote a ref through an app\'s stages; roll back on failure', load: async () => (await import('./deploy.js')).registerDeploy },
  { name: 'logs', summary: 'the compose logs of an app on a stage, over ssh, secrets scrubbed', load: async () => (await import('./logs.js')).registerLogs },
  { name: 'lock', summary: 'lock an app\'s deploys for an incident (lock status APP: who, why, since)', load: async () => (await import('./lock.js')).registerLock },
  { name: 'unlock', summary: 'release an app\'s deploy lock', load: async () => (await import('./unlock.js')).registerUnlock },
  { name: 'rollback', summary: 'point a stage back at an earlier release still on its host', load: async () => (await import('./rollback.js')).registerRollback },
  { name: 'prune', summary: 'remove old release dirs on a stage\'s host now (--dry-run lists them)', load: async () => (await import('./prune.js')).registerPrune },
  { name: 'restore', summary: 'restore a backup (local or offsite) into a database or a files snapshot to a directory, checked', load: async () => (await import('./restore.js')).registerRestore },
  { name: 'drill', summary: 'restore drill: restore a backup from the offsite copy and check it', load: async () => (await import('./drill.js')).registerDrill },
  { name: 'status', summary: 'backup health per target and overall; exit 1 on FAIL', load: async () => (await import('./status.js')).registerStatus },
  { name: 'releases', summary: 'the release history of an app on a stage', load: async () => (await import('./releases.js')).registerReleases },
  { name: 'schedules', summary: 'the Temporal schedules declared in the config', load: async () => (await import('./schedules.js')).registerSchedules },
  { name: 'completion', summary: 'print a shell completion script (bash or zsh)', load: async () => (await import('./completion.js')).registerCompletion },
];
