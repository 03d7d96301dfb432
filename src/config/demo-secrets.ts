import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { configSecrets } from './config-secrets.js';
import { UnavailableSecret } from './secret.js';

/**
 * A file: secret in the demo's directory that `ops up` has not created yet. It is pending, not a
 * config error, so that the example config validates on a fresh clone; reading it says what to do.
 */
export class PendingDemoSecret extends UnavailableSecret {
  constructor(readonly path: string, full: string) {
    super(`file ${path}`, `${full} does not exist yet; run \`ops up\` first to create the demo's secrets`);
  }
}

/** The pending secret for a reference to a missing file in demoDir, else undefined (resolve it as usual). */
export function pendingDemoSecret(reference: string, baseDir: string, demoDir: string | undefined): PendingDemoSecret | undefined {
  if (demoDir === undefined || !reference.startsWith('file:')) return undefined;
  const path = reference.slice('file:'.length);
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  const inside = relative(demoDir, full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || existsSync(full)) return undefined;
  return new PendingDemoSecret(path, full);
}

/** One line for `ops config check` naming the demo's secret files still to be created, if any. */
export function pendingDemoSecretsNote(config: object): string | undefined {
  const paths = [...new Set(configSecrets(config).flatMap((s) => (s instanceof PendingDemoSecret ? [s.path] : [])))];
  if (paths.length === 0) return undefined;
  return `the demo's secret files ${paths.join(', ')} do not exist yet: run \`ops up\` first to create them`;
}
