import { describeSshAddress } from './location.js';
import type { OpsConfigParsed } from './schema.js';

export type DatabaseTarget = OpsConfigParsed['databases'][number] & { kind: 'postgres' | 'mysql' };
export type FilesTarget = OpsConfigParsed['files'][number] & { kind: 'files' };
export type Target = DatabaseTarget | FilesTarget;
export type TargetKind = Target['kind'];

export function isDatabase(target: Target): target is DatabaseTarget {
  return target.kind !== 'files';
}

/** How the worker reaches a database target, for manifests and messages; undefined when directly. */
export function describeReach(target: DatabaseTarget): string | undefined {
  if (target.via) return `ssh tunnel via ${describeSshAddress(target.via)}`;
  if (target.exec) return `docker compose -p ${target.exec.project} exec ${target.exec.service} on ${describeSshAddress(target.exec.host)}`;
  return undefined;
}
