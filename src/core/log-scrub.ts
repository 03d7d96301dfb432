const REDACTED = '[redacted]';

export interface LineScrubber {
  /** The complete lines in `chunk` (with what was held back before), each secret replaced; a partial last line is held back. */
  push(chunk: string): string;
  /** What was held back, scrubbed: the stream ended without a final newline. */
  end(): string;
}

/**
 * Scrubs a stream of log text line by line, so a secret split across two reads is still found
 * (a secret never spans a newline in a .env value that compose passes on). Longest secret first,
 * as in redact: one containing another is never left half-replaced.
 */
export function lineScrubber(secrets: string[]): LineScrubber {
  const values = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  const scrub = (text: string) => values.reduce((out, value) => out.split(value).join(REDACTED), text);
  let held = '';
  return {
    push(chunk) {
      const text = held + chunk;
      const cut = text.lastIndexOf('\n') + 1;
      held = text.slice(cut);
      return scrub(text.slice(0, cut));
    },
    end() {
      const rest = scrub(held);
      held = '';
      return rest;
    },
  };
}
