/** A restore's parallel pg_restore workers stop here: more seldom help one server, and each holds a connection. */
export const MAX_RESTORE_JOBS = 4;

/**
 * How many pg_restore jobs a restore of a dump on disk runs: one per core of the worker's host, at
 * least one, at most MAX_RESTORE_JOBS. (pg_restore runs parallel only from a file it can seek in: a
 * dump streamed through age on its stdin is restored by one job.)
 */
export function restoreJobs(cores: number): number {
  return Math.max(1, Math.min(Math.floor(cores), MAX_RESTORE_JOBS));
}
