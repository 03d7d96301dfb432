/**
 * What `pg_restore --verbose` tells about its progress on stderr. Its messages are read in the C
 * locale (pgRestore sets LC_MESSAGES for a verbose run), so their wording is fixed.
 */

/** A verbose run's progress line: every `pg_restore: ` line but an error, a warning and their details. */
export const PG_RESTORE_PROGRESS = /^pg_restore: (?!error:|warning:|detail:|hint:)/;

/**
 * The table whose rows a parallel run has just finished loading, from its "finished item <id>
 * TABLE DATA <name>" line; undefined for any other line. The name is the table's own, unquoted
 * and without its schema.
 */
export function finishedTableData(line: string): string | undefined {
  return /^pg_restore: finished item \d+ TABLE DATA (.+)$/.exec(line.trimEnd())?.[1];
}
