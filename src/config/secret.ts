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

/**
 * A secret this process cannot read (its variable unset, its file missing), held in place of the
 * value by a process that only names things, e.g. the CLI starting a deploy that the worker runs
 * with the real secrets. Reading it fails with what is missing.
 */
export class UnavailableSecret extends Secret {
  constructor(source: string, readonly problem: string) {
    super('', source);
  }
  override reveal(): string {
    throw new Error(`secret from ${this.source} is not available to this process: ${this.problem}`);
  }
}

/** Replace every occurrence of the given secrets in text; for stderr tails and messages from tools. */
export function redact(text: string, secrets: Array<Secret | undefined>): string {
  let out = text;
  // Longest first: a secret that contains another must not be left half-redacted.
  const values = secrets.map((s) => (s instanceof UnavailableSecret ? '' : (s?.reveal() ?? ''))).filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}
