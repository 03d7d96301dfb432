import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The few settings `ops up` needs before the config can be loaded in full: the demo servers it
 * must start first (their ports feed the config's ${OPS_DEMO_*} references) and the state dir.
 */
export function peekConfig(file: string): { stateDir: string; demo: { postgres: boolean; mariadb: boolean } } {
  let doc: { stateDir?: unknown; demo?: { postgres?: unknown; mariadb?: unknown } } = {};
  try {
    doc = (parse(readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch {
    // The full load reports what is wrong with the file, with paths; here we only look.
  }
  return {
    stateDir: resolve(dirname(file), typeof doc.stateDir === 'string' ? doc.stateDir : '.ops'),
    demo: { postgres: doc.demo?.postgres === true, mariadb: doc.demo?.mariadb === true },
  };
}
