import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The one task queue ops workers poll unless OPS_TASK_QUEUE says otherwise (tests use their own). */
export const DEFAULT_TASK_QUEUE = 'ops';

export function taskQueueFrom(env: Record<string, string | undefined>): string {
  return env.OPS_TASK_QUEUE || DEFAULT_TASK_QUEUE;
}

/**
 * What a worker polls besides the workflow queue, which every role polls (so a backup runs while the
 * orchestrator is down): `backup` takes the backup, verify, drill and restore steps, on the host that
 * holds the repository; `deploy` takes the deploy steps, on the orchestrator; `all` takes both.
 */
export const WORKER_ROLES = ['backup', 'deploy', 'all'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];
export type ActivityRole = Exclude<WorkerRole, 'all'>;

/** The task queue of one role's steps, derived from the base (workflow) queue: `ops-backup`, `ops-deploy`. */
export function roleTaskQueue(base: string, role: ActivityRole): string {
  return `${base}-${role}`;
}

export function activityRolesOf(role: WorkerRole): ActivityRole[] {
  return role === 'all' ? ['backup', 'deploy'] : [role];
}

/** Custom search attributes that make ops runs filterable in the Temporal UI. */
export const searchAttributes = {
  target: defineSearchAttributeKey('OpsTarget', SearchAttributeType.KEYWORD_LIST),
  runKind: defineSearchAttributeKey('OpsRunKind', SearchAttributeType.KEYWORD),
  app: defineSearchAttributeKey('OpsApp', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('OpsStage', SearchAttributeType.KEYWORD),
  ref: defineSearchAttributeKey('OpsRef', SearchAttributeType.KEYWORD),
} as const;

const CLI_TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', KEYWORD_LIST: 'KeywordList', TEXT: 'Text', INT: 'Int' };

/** A search attribute type in the `temporal` CLI's spelling (KeywordList). */
export function cliTypeName(type: string): string {
  return CLI_TYPE_NAMES[type] ?? type;
}

/** `Name=Type` pairs in the `temporal` CLI's spelling, for `start-dev --search-attribute`. */
export function searchAttributeCliPairs(): string[] {
  return Object.values(searchAttributes).map((key) => `${key.name}=${cliTypeName(key.type)}`);
}

export type RunKind = 'nightly-backup' | 'backup-target' | 'verify' | 'deploy' | 'rollback' | 'restore-drill' | 'restore' | 'watchdog' | 'deploy-lock' | 'prune';

export const workflowIds = {
  nightlyBackup: (stamp: string) => `backup-${stamp}`,
  /**
   * One id per target, whichever run starts it: a running backup of the target is its lock, so a
   * second run cannot sweep the first one's partial dump.
   */
  backupTarget: (target: string) => `backup-${target}`,
  verify: (backupId: string, stamp: string) => `verify-${backupId}-at-${stamp}`,
  /** One id per app: with the FAIL conflict policy, a running deploy is the app's lock, and it ends with the run. */
  deploy: (app: string) => `deploy-${app}`,
  drill: (stamp: string) => `drill-${stamp}`,
  restore: (target: string, stamp: string) => `restore-${target}-${stamp}`,
  reencrypt: (stamp: string) => `reencrypt-${stamp}`,
} as const;
