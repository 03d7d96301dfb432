import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value that never prints: not through String(), JSON.stringify, util.inspect,
 * template literals, or a Temporal payload converter (which uses JSON).
 * Read it with reveal(), only where the value is handed to a child's env or a 0600 file.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string, readonly source: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

/** Replace every occurrence of the given secrets in text; for stderr tails and messages from tools. */
export function redact(text: string, secrets: Array<Secret | undefined>): string {
  let out = text;
  // Longest first: a secret that contains another must not be left half-redacted.
  const values = secrets.map((s) => s?.reveal() ?? '').filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}
