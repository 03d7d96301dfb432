import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Vitest's inject reads what test/global-setup.ts provided: every fixture built on test/support/servers.ts calls it. */
const USES_GLOBAL_SERVERS = /\binject\(/;
/** The functions that start a server process of their own (src/local-servers, src/temporal, src/demo, test/support/sshd.ts). */
const STARTS_A_SERVER = /\bstart(?:DevServer|Postgres|Mariadb|Sshd|DemoServers)\(/;
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The repository files `file` imports by relative path; `.js` specifiers name the `.ts` sources. */
function relativeImports(root: string, file: string, source: string): string[] {
  return [...source.matchAll(RELATIVE_IMPORT)]
    .map((match) => resolve(dirname(join(root, file)), match[1]!))
    .map((path) => (existsSync(path) ? path : path.replace(/\.js$/, '.ts')))
    .filter((path) => existsSync(path))
    .map((path) => relative(root, path));
}

/**
 * Why the test file `file` (relative to `root`) needs a server, as the import chain that leads to
 * it, or undefined when nothing it imports, directly or not, reads the global setup's servers or
 * (in test code) starts one. Type-only imports count too: the check stays simple and errs on the safe side.
 */
export function serverNeed(root: string, file: string): string | undefined {
  const chains = new Map<string, string[]>([[file, [file]]]);
  const queue = [file];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const chain = chains.get(current)!;
    const source = readFileSync(join(root, current), 'utf8');
    if (USES_GLOBAL_SERVERS.test(source)) return `${chain.join(' → ')} reads the servers of test/global-setup.ts (inject)`;
    const starter = current.startsWith('test/') ? source.match(STARTS_A_SERVER) : null;
    if (starter) return `${chain.join(' → ')} starts a server (${starter[0].slice(0, -1)})`;
    for (const imported of relativeImports(root, current, source)) {
      if (chains.has(imported)) continue;
      chains.set(imported, [...chain, imported]);
      queue.push(imported);
    }
  }
  return undefined;
}
