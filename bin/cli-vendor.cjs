// The packages bundled for the CLI's client build (vendor.cjs, one CommonJS file beside this one),
// loaded through V8's code cache (vendor.cache, made when the build is). Compiling the 4 MB
// bundle from source took some 60 ms of every start that talks to Temporal; from the cache V8 only
// deserializes it. Node 20 keeps no code cache for ES modules, hence CommonJS and node:vm.
// A cache V8 rejects (another node, other V8 flags) costs only that: the bundle compiles from source.
// bin/cli-build.js copies this file into each build; `node cli-vendor.cjs` makes the cache.
'use strict';
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, 'vendor.cjs');
const CACHE = join(__dirname, 'vendor.cache');

let script;
let packages;
const loaded = new Set();

/** A package (or subpath) as the CLI's sources import it; each is evaluated on first use. */
exports.load = (specifier) => {
  packages ??= run();
  if (!(specifier in packages)) throw new Error(`${specifier} is not in the CLI's vendor bundle (${BUNDLE})`);
  loaded.add(specifier);
  return packages[specifier];
};

/** The specifiers loaded so far: which packages a verb pulled in, for the tests that keep verbs lazy. */
exports.loaded = () => [...loaded];

/** Whether V8 took the cache (false: none, or rejected, and the bundle compiled from source). */
exports.cacheUsed = () => script !== undefined && script.cachedDataRejected === false;

function run() {
  let cachedData;
  try {
    cachedData = readFileSync(CACHE);
  } catch {
    // No cache (its making failed, or was interrupted): compile from source.
  }
  // The wrapper Node itself puts around a CommonJS module.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(BUNDLE, 'utf8')}\n})`;
  script = new Script(source, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, __dirname);
  return module.exports;
}

// `node cli-vendor.cjs`: evaluate every package, so the functions their loading compiles are in
// the cache too, and write the cache under a private name first: no start ever reads half of one.
if (require.main === module) {
  packages = run();
  for (const specifier of Object.keys(packages)) void packages[specifier];
  const staging = `${CACHE}.${process.pid}.tmp`;
  try {
    writeFileSync(staging, script.createCachedData());
    renameSync(staging, CACHE);
  } finally {
    rmSync(staging, { force: true });
  }
}
