// The packages bundled for the CLI's client build, one CommonJS file per group (vendor-<group>.cjs,
// beside this one; see VENDOR_GROUPS in bin/cli-build.js), each loaded through V8's code cache
// (vendor-<group>.cache, made when the build is). Compiling the Temporal client's 3 MB from source
// took some 60 ms of every start that talks to Temporal; from the cache V8 only deserializes it.
// Node 20 keeps no code cache for ES modules, hence CommonJS and node:vm. A cache V8 rejects
// (another node, other V8 flags) costs only that: the file compiles from source.
// bin/cli-build.js copies this file into each build; `node cli-vendor.cjs` makes the caches.
'use strict';
const { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

/** group → { script, packages }, for each group loaded so far */
const groups = new Map();
const loaded = new Set();

/** A package (or subpath) of `group` as the CLI's sources import it; each is evaluated on first use. */
exports.load = (group, specifier) => {
  if (!groups.has(group)) groups.set(group, run(group));
  const { packages, bundle } = groups.get(group);
  if (!(specifier in packages)) throw new Error(`${specifier} is not in the CLI's vendor bundle ${bundle}`);
  loaded.add(specifier);
  return packages[specifier];
};

/** The specifiers loaded so far: which packages a verb pulled in, for the tests that keep verbs lazy. */
exports.loaded = () => [...loaded];

/** Whether V8 took `group`'s cache (false: not loaded, no cache, or rejected and compiled from source). */
exports.cacheUsed = (group) => groups.get(group)?.script.cachedDataRejected === false;

function run(group) {
  const bundle = join(__dirname, `vendor-${group}.cjs`);
  const cache = join(__dirname, `vendor-${group}.cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cache);
  } catch {
    // No cache (its making failed, or was interrupted): compile from source.
  }
  // The wrapper Node itself puts around a CommonJS module.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
  const script = new Script(source, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, __dirname);
  return { script, packages: module.exports, bundle, cache };
}

// `node cli-vendor.cjs`: evaluate every package of every group, so the functions their loading
// compiles are in the caches too, and write each cache under a private name first: no start ever
// reads half of one.
if (require.main === module) {
  for (const file of readdirSync(__dirname)) {
    const group = /^vendor-(.+)\.cjs$/.exec(file)?.[1];
    if (group === undefined) continue;
    const { script, packages, cache } = run(group);
    for (const specifier of Object.keys(packages)) void packages[specifier];
    const staging = `${cache}.${process.pid}.tmp`;
    try {
      writeFileSync(staging, script.createCachedData());
      renameSync(staging, cache);
    } finally {
      rmSync(staging, { force: true });
    }
  }
}
