// The CLI's build: src/ bundled by esbuild into dist/<fingerprint>/, so `ops` starts without
// transpiling TypeScript. The fingerprint covers every input (paths, sizes and mtimes of src/ and
// of the build's own files), so a build is used only for exactly the sources it was made from:
// any edit, added or deleted file gives a new fingerprint, and that build is made on first use.
// Plain JavaScript: it must run before anything can be transpiled.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'src/starters/cli.ts';
/**
 * Bundled into the CLI's build with everything they import, rather than loaded from node_modules:
 * Node then reads one file instead of hundreds (the Temporal client alone is some 300 CommonJS
 * files), which took about a third off loading it. Each group goes into its own CommonJS file,
 * vendor-<group>.cjs, which bin/cli-vendor.cjs loads through V8's code cache: a verb that only
 * reads the config (`ops backups list`) reads and deserializes `config`'s 1 MB, not the client's
 * 3 MB. Packages with native parts, or that a worker must share with @temporalio/worker, stay in
 * node_modules.
 */
const VENDOR_GROUPS = {
  config: ['yaml', 'zod'],
  client: ['@temporalio/client', '@temporalio/common', '@temporalio/proto', '@temporalio/envconfig', '@temporalio/workflow'],
};
const VENDOR_GROUP_OF = new Map(Object.entries(VENDOR_GROUPS).flatMap(([group, names]) => names.map((name) => [name, group])));
/**
 * Verbs that run a worker in their own process (and `completion`, which loads every verb) run the
 * `host` build, which leaves every package in node_modules: the worker and the activities must
 * share one copy of @temporalio/common and its protobufs with @temporalio/worker. The test is any
 * argument equal to such a verb: a false match only costs the slower start.
 */
const HOST_VERBS = new Set(['worker', 'up', 'completion']);
/** Builds kept besides the newest: a long-running `ops worker` may still load chunks of its own. */
const KEEP_BUILDS = 3;

/** The hash of every build input's path, size and mtime; cheap enough to compute at each start. */
export function sourceFingerprint(root = ROOT) {
  const hash = createHash('sha256');
  // tsconfig.json is not in the Docker image; whether it exists is part of the fingerprint.
  const files = ['package.json', 'tsconfig.json', 'bin/cli-build.js', 'bin/cli-vendor.cjs'].filter((file) => existsSync(join(root, file)));
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) files.push(join('src', entry));
  for (const file of files.sort()) {
    const stat = statSync(join(root, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The entry of the build made from the current sources for these arguments (the `host` build for
 * a verb that runs a worker, see HOST_VERBS), building it first when there is none.
 */
export async function freshBuild(root = ROOT, args = []) {
  const dir = join(root, 'dist', sourceFingerprint(root));
  const entry = join(dir, ...(args.some((arg) => HOST_VERBS.has(arg)) ? ['host'] : []), 'cli.js');
  if (existsSync(entry)) return entry;
  await build(root, dir);
  return entry;
}

async function build(root, dir) {
  const { build: esbuild } = await import('esbuild');
  // Into a private directory first, then renamed: concurrent `ops` calls each build their own and
  // the first rename wins, so no process ever loads a half-written build.
  const staging = `${dir}.${process.pid}.tmp`;
  const options = (outdir, finalDir, packages) => ({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outdir,
    bundle: true,
    // Each verb is a dynamic import in cli.ts; splitting keeps it (and the packages it imports) out
    // of the start-up path until that verb runs.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Bundled CommonJS packages require Node's own modules; an ES module has no `require` of its own.
    banner: { js: "import { createRequire as __opsCreateRequire } from 'node:module'; const require = __opsCreateRequire(import.meta.url);" },
    // Error and workflow types are known by their class and function names.
    keepNames: true,
    // For --verbose: stack traces then name the source files and lines (see bin/ops.js).
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [packages, sourceLocations(finalDir)],
  });
  try {
    // Both settle before any cleanup: a failed one must not remove staging while the other still writes there.
    const vendored = new Map();
    const builds = await Promise.allSettled([
      esbuild(options(staging, dir, packageImports(vendored))).then(() => buildVendor(root, staging, vendored)),
      esbuild(options(join(staging, 'host'), join(dir, 'host'), packageImports())),
    ]);
    const failed = builds.find((b) => b.status === 'rejected');
    if (failed) throw failed.reason;
    renameSync(staging, dir);
  } catch (err) {
    try {
      rmSync(staging, { recursive: true, force: true });
    } catch {
      // Nothing was staged where nothing could be written; the build's own error says why.
    }
    // Another call's rename won the race: its build is the same.
    if (existsSync(join(dir, 'cli.js'))) return;
    // esbuild's message is "Build failed with N errors:"; the first error says what failed.
    throw new Error(err?.errors?.[0]?.text ?? String(err?.message ?? err));
  }
  try {
    pruneOldBuilds(dirname(dir), dir);
  } catch {
    // Best effort: another call may be pruning the same directories.
  }
}

/**
 * Where the sources' package imports go: to node_modules, except (when `vendored` is given) those
 * of VENDOR_GROUPS, which become a shim reading them from their group's vendor file; `vendored`
 * collects which, by group.
 */
function packageImports(vendored) {
  return {
    name: 'package-imports',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { external: true };
        const group = VENDOR_GROUP_OF.get(args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/'));
        if (!vendored || group === undefined) return { external: true };
        if (!vendored.has(group)) vendored.set(group, new Set());
        vendored.get(group).add(args.path);
        return { path: args.path, namespace: 'vendor', pluginData: group };
      });
      build.onResolve({ filter: /^\.\/cli-vendor\.cjs$/, namespace: 'vendor' }, () => ({ external: true }));
      build.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
        contents: `module.exports = require('./cli-vendor.cjs').load(${JSON.stringify(args.pluginData)}, ${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * vendor-<group>.cjs for each group of `vendored`: its package imports, bundled with all they
 * import into one CommonJS file, each evaluated on first use. Beside them bin/cli-vendor.cjs, run
 * once to make their code caches.
 */
async function buildVendor(root, dir, vendored) {
  const [{ build: esbuild }, { spawnSync }] = await Promise.all([import('esbuild'), import('node:child_process')]);
  const bundle = (group, ids) => {
    const exports = [...ids].sort().map((id) => `Object.defineProperty(exports, ${JSON.stringify(id)}, { enumerable: true, get: () => require(${JSON.stringify(id)}) });`);
    return esbuild({
      absWorkingDir: root,
      stdin: { contents: exports.join('\n'), resolveDir: root, sourcefile: `vendor-${group}-entry.cjs`, loader: 'js' },
      outfile: join(dir, `vendor-${group}.cjs`),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [clientProtos()],
    });
  };
  await Promise.all([...vendored].map(([group, ids]) => bundle(group, ids)));
  copyFileSync(join(root, 'bin/cli-vendor.cjs'), join(dir, 'cli-vendor.cjs'));
  // Without the caches `ops` still runs, only slower to start: their failure fails no build.
  spawnSync(process.execPath, [join(dir, 'cli-vendor.cjs')], { stdio: 'ignore', timeout: 60_000 });
}

/**
 * The Temporal protobuf descriptors as the CLI's client needs them. @temporalio/proto builds a
 * protobufjs reflection object for every message of one 1.4 MB object literal at load, which was
 * the largest single cost of starting `ops`. In the client's build:
 * - the trees no client call uses are left out: `coresdk` (the worker's messages to its Rust core)
 *   and `temporal.api.cloud` (Temporal Cloud's account API), a third of the descriptor;
 * - the rest is handed over as a JSON string: V8 parses JSON much faster than the same object
 *   written as JavaScript, which it must parse in full when it compiles the chunk.
 * The host build (the worker's) keeps the package as it is. A module laid out otherwise than
 * expected (another SDK version) is left as it is too: slower to start, never broken.
 */
function clientProtos() {
  return {
    name: 'client-protos',
    setup(build) {
      build.onLoad({ filter: /[\\/]@temporalio[\\/]proto[\\/]protos[\\/]json-module\.js$/ }, async (args) => {
        const slim = clientDescriptorModule(await readFile(args.path, 'utf8'));
        return slim === undefined ? undefined : { contents: slim, loader: 'js' };
      });
    },
  };
}

/** json-module.js rewritten as clientProtos says, or undefined when it is not laid out as expected. */
export function clientDescriptorModule(text) {
  const open = text.indexOf('.addJSON(') + '.addJSON('.length;
  const close = text.lastIndexOf('});') + 1;
  if (open < '.addJSON('.length || close <= open) return undefined;
  let descriptor;
  try {
    descriptor = JSON.parse(text.slice(open, close));
  } catch {
    return undefined;
  }
  delete descriptor.coresdk;
  delete descriptor.temporal?.nested?.api?.nested?.cloud;
  return `${text.slice(0, open)}JSON.parse(${JSON.stringify(JSON.stringify(descriptor))})${text.slice(close)}`;
}

/**
 * Code that finds files next to its own source (the workflows for the worker's bundle, the
 * Temporal CLI in .tools) reads import.meta.url: make it the source file's URL, relative to the
 * build's directory, so those paths mean in dist what they mean under tsx.
 */
function sourceLocations(dir) {
  return {
    name: 'source-locations',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.')) return { contents: text, loader: 'ts' };
        const fromBuild = (path) => JSON.stringify(relative(dir, path).split('\\').join('/'));
        const url = `new URL(${fromBuild(args.path)}, import.meta.url).href`;
        const dirnameOf = `decodeURIComponent(new URL(${fromBuild(dirname(args.path))} + '/', import.meta.url).pathname).replace(/\\/$/, '')`;
        const contents = text.replaceAll('import.meta.url', url).replaceAll('import.meta.dirname', dirnameOf);
        return { contents, loader: 'ts' };
      });
    },
  };
}

function pruneOldBuilds(dist, current) {
  const paths = readdirSync(dist).map((name) => join(dist, name)).filter((path) => path !== current);
  const builds = paths.filter((path) => !path.endsWith('.tmp')).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  // A staging directory left by a call killed mid-build; live ones take about a second.
  const abandoned = paths.filter((path) => path.endsWith('.tmp') && Date.now() - statSync(path).mtimeMs > 10 * 60_000);
  for (const old of [...builds.slice(KEEP_BUILDS - 1), ...abandoned]) rmSync(old, { recursive: true, force: true });
}

// `node bin/cli-build.js`: scripts/install.sh builds once, so the first `ops` call is fast too.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${relative(ROOT, await freshBuild())}\n`);
  } catch (err) {
    process.stderr.write(`could not build the ops CLI: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
