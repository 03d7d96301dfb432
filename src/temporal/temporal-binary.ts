import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { PreconditionFailed } from '../core/errors.js';

/** The project-local tools dir that scripts/install.sh builds the Temporal CLI into. */
export const PROJECT_TOOLS_BIN = resolve(import.meta.dirname, '../../.tools/bin');

/** TEMPORAL_CLI_PATH, then the project's .tools/bin, then PATH: the same order scripts/install.sh checks. */
export function findTemporalBinary(env: Record<string, string | undefined> = process.env): string {
  const candidates = [
    env.TEMPORAL_CLI_PATH,
    join(PROJECT_TOOLS_BIN, 'temporal'),
    ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'temporal')),
  ].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  throw new PreconditionFailed('no temporal CLI found: run `npm run setup` (builds it into .tools/bin) or set TEMPORAL_CLI_PATH');
}
