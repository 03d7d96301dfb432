import type { OpsConfigParsed } from './schema.js';

export type DatabaseTarget = OpsConfigParsed['databases'][number] & { kind: 'postgres' | 'mysql' };
export type FilesTarget = OpsConfigParsed['files'][number] & { kind: 'files' };
export type Target = DatabaseTarget | FilesTarget;
export type TargetKind = Target['kind'];

export function isDatabase(target: Target): target is DatabaseTarget {
  return target.kind !== 'files';
}
