/**
 * Whether text for a stream may carry colour: never when NO_COLOR is set (no-color.org) or
 * FORCE_COLOR is 0/false, always when FORCE_COLOR is otherwise set, else only on a terminal.
 * The same conventions commander follows for its help, so both agree.
 */
export function colourWanted(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined) return true;
  return isTTY;
}

const CODES = { bold: [1, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;
export type Style = keyof typeof CODES;

export function paint(text: string, style: Style, enabled: boolean): string {
  if (!enabled) return text;
  const [open, close] = CODES[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

const ESCAPES = /\x1b\[[0-9;]*m/g;

/** The width a terminal shows, escape codes not counted: for aligning coloured columns. */
export function visibleLength(text: string): number {
  return text.replace(ESCAPES, '').length;
}
