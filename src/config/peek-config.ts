import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ConfigPeek {
  stateDir: string;
  demo: { postgres: boolean; mariadb: boolean };
}

/**
 * The few settings `ops up` needs before the config can be loaded in full: the demo servers it
 * must start first (their ports feed the config's ${OPS_DEMO_*} references) and the state dir.
 */
export function peekConfig(file: string): ConfigPeek {
  let doc: unknown = {};
  try {
    doc = parse(readFileSync(file, 'utf8')) ?? {};
  } catch {
    // The full load reports what is wrong with the file, with paths; here we only look.
  }
  return peekDocument(doc, dirname(file));
}

/** The same settings, from a YAML document already parsed (the loader's). */
export function peekDocument(doc: unknown, baseDir: string): ConfigPeek {
  const { stateDir, demo } = (doc ?? {}) as { stateDir?: unknown; demo?: { postgres?: unknown; mariadb?: unknown } };
  return {
    stateDir: resolve(baseDir, typeof stateDir === 'string' ? stateDir : '.ops'),
    demo: { postgres: demo?.postgres === true, mariadb: demo?.mariadb === true },
  };
}

/** Where `ops up` keeps the demo servers' data, ports and password files. */
export function demoDir(stateDir: string): string {
  return join(stateDir, 'demo');
}
