import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../core/errors.js';
import type { Env, SecretMode } from './interpolate.js';
import { demoDir, peekDocument } from './peek-config.js';
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
  // One syntax error can cascade into hundreds: the first is the one to fix.
  const [syntax] = document.errors;
  if (syntax) throw new ConfigError([describeSyntaxError(file, syntax)]);
  const baseDir = dirname(file);
  const raw: unknown = document.toJS() ?? {};
  const peek = peekDocument(raw, baseDir);
  const demo = peek.demo.postgres || peek.demo.mariadb ? demoDir(peek.stateDir) : undefined;
  const result = configSchema({ env, baseDir, secrets, ...(demo ? { demoDir: demo } : {}) }).safeParse(raw);
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

/** `file:line:column: message`, as compilers print it: editors jump to the place. */
export function describeSyntaxError(file: string, error: YAMLError): string {
  const at = error.linePos?.[0];
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return at ? `${file}:${at.line}:${at.col}: ${message}` : `${file}: ${message}`;
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
