#!/usr/bin/env node
// Runs the CLI from its build (dist/), made from the current sources on first use and reused while
// they are unchanged: no build step to forget, no stale build. Should the build fail, the sources
// run through tsx (slower to start), and one line says why.
import { pathToFileURL } from 'node:url';
import { freshBuild } from './cli-build.js';

let entry;
try {
  entry = await freshBuild(undefined, process.argv.slice(2));
} catch (err) {
  const reason = String(err instanceof Error ? err.message : err).split('\n')[0];
  process.stderr.write(`ops: could not build dist/ (${reason}); running the TypeScript sources through tsx instead\n`);
}
if (entry) {
  // Source maps cost start-up time, and only the stack traces --verbose prints need them.
  if (process.argv.some((arg) => arg === '--verbose' || /^-[A-Za-z]*v[A-Za-z]*$/.test(arg))) process.setSourceMapsEnabled(true);
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/starters/cli.ts');
}
