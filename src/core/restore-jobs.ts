/** A restore's parallel pg_restore workers stop here: more seldom help one server, and each holds a connection. */
export const MAX_RESTORE_JOBS = 4;

/**
 * Below this size a dump restores fastest in one job: forking workers and opening their
 * connections costs more than they save (bench/README.md, Restore: 0.086 s single-job against
 * 0.121 s with two jobs for a 2 MB dump, 0.619 s against 0.493 s for a 7 MB one).
 */
export const PARALLEL_RESTORE_MIN_BYTES = 4 * 2 ** 20;

/**
 * How many pg_restore jobs a restore of a dump on disk runs: one per core of the worker's host, at
 * most MAX_RESTORE_JOBS, and one for a dump under PARALLEL_RESTORE_MIN_BYTES. (pg_restore runs
 * parallel only from a file it can seek in: a dump streamed through age on its stdin is restored by one job.)
 */
export function restoreJobs(cores: number, dumpBytes: number): number {
  if (dumpBytes < PARALLEL_RESTORE_MIN_BYTES) return 1;
  return Math.max(1, Math.min(Math.floor(cores), MAX_RESTORE_JOBS));
}
