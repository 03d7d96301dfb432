/**
 * The append-only logs ops keeps (deploy records, backup run history, a host's releases.log) are
 * JSON Lines: one object per line, so an append never rewrites what is there, and a crash can at
 * worst tear the last line.
 */
export function formatJsonLine(value: object): string {
  return `${JSON.stringify(value)}\n`;
}

/** The values of the lines that parse and pass `accept`; others (a torn last line, a hand edit) are skipped. */
export function parseJsonLines<T>(text: string, accept: (value: unknown) => value is T): T[] {
  return text.split('\n').flatMap((line) => {
    if (!line.trim().startsWith('{')) return [];
    try {
      const value: unknown = JSON.parse(line);
      return accept(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}
