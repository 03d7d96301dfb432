import { matchingPaths } from './path-glob.js';

/**
 * Whether a stage runs its app's migration, and why, as the report says it:
 * - `forced`: `ops deploy --migrate`;
 * - `paths-changed`: files matching `migrate.when.paths` changed between the running release and the new one;
 * - `not-needed`: none did, or the app sets no paths (it then migrates only when asked).
 */
export type MigrationNeed =
  | { run: true; why: 'forced' }
  /** `paths`: the first LISTED_PATHS of them (a workflow payload stays small), `more`: how many besides. */
  | { run: true; why: 'paths-changed'; paths: string[]; more: number }
  | { run: false; why: 'not-needed'; detail: string };

export interface MigrationFacts {
  forced: boolean;
  /** `migrate.when.paths`; none: only `--migrate` runs it. */
  globs?: readonly string[];
  /** Paths changed from the running release to the new one (every file of it on a first deploy). */
  changed: readonly string[];
}

/** At most this many matching paths are kept; the report names the rest by count. */
export const LISTED_PATHS = 20;

export function migrationNeed({ forced, globs, changed }: MigrationFacts): MigrationNeed {
  if (forced) return { run: true, why: 'forced' };
  if (!globs || globs.length === 0) return { run: false, why: 'not-needed', detail: 'no migrate.when.paths; runs only with --migrate' };
  const paths = matchingPaths(changed, globs);
  if (paths.length === 0) return { run: false, why: 'not-needed', detail: `no change under ${globs.join(', ')}` };
  return { run: true, why: 'paths-changed', paths: paths.slice(0, LISTED_PATHS), more: Math.max(0, paths.length - LISTED_PATHS) };
}

/** One line for the report and the progress: `forced (--migrate)`, `paths changed: a, b`, `not needed: ...`. */
export function describeMigrationNeed(need: MigrationNeed): string {
  if (need.why === 'forced') return 'forced (--migrate)';
  if (need.why === 'not-needed') return `not needed: ${need.detail}`;
  return `paths changed: ${need.paths.join(', ')}${need.more > 0 ? ` and ${need.more} more` : ''}`;
}
