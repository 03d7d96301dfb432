import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Secret, UnavailableSecret } from './secret.js';

export type Env = Record<string, string | undefined>;

const ENV_SECRET = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands ${VAR} and ${VAR:-default} (as docker compose does) in a non-secret string. Throws naming a missing variable. */
export function expandEnv(text: string, env: Env): string {
  return text.replace(ENV_REF, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    // As docker compose: ${VAR} takes an empty value as set; ${VAR:-default} treats it as unset.
    if (value !== undefined && (value !== '' || fallback === undefined)) return value;
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is not set`);
  });
}

/**
 * How a loader treats a secret it cannot read: `require` makes it a config error (the worker, `ops
 * config check`); `defer` keeps an UnavailableSecret in its place (CLI verbs that only start runs).
 */
export type SecretMode = 'require' | 'defer';

/**
 * Resolves a secret reference: `${ENV_VAR}` or `file:path` (relative to the config file).
 * A literal value is refused so that secrets never sit in the config file or in git.
 */
export function resolveSecret(reference: string, env: Env, baseDir: string, mode: SecretMode = 'require'): Secret {
  if (mode === 'defer') {
    try {
      return resolveSecret(reference, env, baseDir);
    } catch (err) {
      const envName = ENV_SECRET.exec(reference)?.[1];
      if (envName) return new UnavailableSecret(`env ${envName}`, (err as Error).message);
      if (reference.startsWith('file:')) return new UnavailableSecret(`file ${reference.slice('file:'.length)}`, (err as Error).message);
      throw err;
    }
  }
  const envMatch = ENV_SECRET.exec(reference);
  if (envMatch) {
    const value = env[envMatch[1]!];
    if (value === undefined || value === '') throw new Error(`environment variable ${envMatch[1]} is not set`);
    return new Secret(value, `env ${envMatch[1]}`);
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice('file:'.length);
    const full = isAbsolute(path) ? path : resolve(baseDir, path);
    let value: string;
    try {
      value = readFileSync(full, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`cannot read secret file ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (value === '') throw new Error(`secret file ${full} is empty`);
    return new Secret(value, `file ${path}`);
  }
  throw new Error('expected a secret reference ${ENV_VAR} or file:path, not a literal value');
}
