import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import type { Env, SecretMode } from './interpolate.js';
import { configRules } from './rules.js';
import { configSchema, type OpsConfigParsed } from './schema.js';
import type { Target } from './target.js';

export const DEFAULT_CONFIG_FILE = 'ops.config.yaml';
export const EXAMPLE_CONFIG_FILE = 'ops.config.example.yaml';

export interface OpsConfig extends OpsConfigParsed {
  /** Absolute path of the file this came from. */
  file: string;
  /** Databases then files, in config order. */
  targets: Target[];
}

/** Which config file to use: --config, then OPS_CONFIG, then ./ops.config.yaml, then the bundled example. */
export function chooseConfigFile(explicit: string | undefined, env: Env, cwd = process.cwd(), projectRoot = cwd): string {
  if (explicit) return resolve(cwd, explicit);
  if (env.OPS_CONFIG) return resolve(cwd, env.OPS_CONFIG);
  const own = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(own)) return own;
  return resolve(projectRoot, EXAMPLE_CONFIG_FILE);
}

/** Schema (with defaults and secret resolution), then the cross-field rules. Throws ConfigError with every problem. */
export function loadConfig(file: string, env: Env = process.env, secrets: SecretMode = 'require'): OpsConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  return parseConfig(source, file, env, secrets);
}

export function parseConfig(source: string, file: string, env: Env, secrets: SecretMode = 'require'): OpsConfig {
  const document = parseDocument(source);
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((e) => `${file}: YAML: ${e.message.split('\n')[0]}`));
  }
  const baseDir = dirname(file);
  const result = configSchema({ env, baseDir, secrets }).safeParse(document.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`));
  }
  const parsed = result.data;
  const problems = configRules.flatMap((rule) => rule.check(parsed));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...parsed,
    stateDir: resolve(baseDir, parsed.stateDir),
    repository: resolve(baseDir, parsed.repository),
    reports: resolve(baseDir, parsed.reports),
    file,
    targets: [
      ...parsed.databases.map((d) => ({ kind: d.url.engine, ...d }) as Target),
      ...parsed.files.map((f) => ({ kind: 'files', ...f }) as Target),
    ],
  };
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function describeIssue(issue: { code: string; message: string; keys?: string[]; issues?: Array<{ message: string }> }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  // A bad map key (a schedule id, a host name): say what a key must look like, not "Invalid key in record".
  if (issue.code === 'invalid_key' && issue.issues?.length) return issue.issues.map((inner) => inner.message).join('; ');
  return issue.message;
}
