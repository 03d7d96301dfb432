/** Shell-style identifiers: what compose reads as a .env key and a container sees as a variable name. */
export const DOTENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DOTENV_KEY_RULE = 'expected a letter or _, then letters, digits or _ (a .env key)';

/**
 * Renders KEY=VALUE lines for docker compose's .env. Values are double-quoted with \, " , $ and
 * newlines escaped, so any secret survives intact; keys must be shell-style identifiers.
 */
export function renderDotenv(entries: Record<string, string>): string {
  return Object.entries(entries)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => {
      if (!DOTENV_KEY.test(key)) throw new Error(`not a valid .env key: "${key}"`);
      return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n')}"`;
    })
    .join('\n')
    .concat('\n');
}

const UNESCAPE: Record<string, string> = { n: '\n', '\\': '\\', '"': '"', $: '$' };

/**
 * Reads back what renderDotenv wrote: KEY="value" lines with its escapes. Other lines (comments,
 * a hand edit in another form) are skipped: the result is only used to know values, never to write.
 */
export function parseDotenv(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(line.trim());
    if (match) entries[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? `\\${c}`);
  }
  return entries;
}
