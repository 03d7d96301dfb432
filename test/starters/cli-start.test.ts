import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { OPS_BIN } from '../support/run-cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** bin/cli-build.js is plain JavaScript, without types. */
const { freshBuild, clientDescriptorModule } = (await import(pathToFileURL(join(ROOT, 'bin/cli-build.js')).href)) as {
  freshBuild(root: string, args: string[]): Promise<string>;
  clientDescriptorModule(text: string): string | undefined;
};
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A checkout of ops of its own (sources, bin, package files; node_modules linked), to edit freely. */
function copyOfOps(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ops-copy-'));
  temps.push(dir);
  for (const path of ['bin', 'src', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, path), join(dir, path), { recursive: true, preserveTimestamps: true });
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

const ops = (root: string, args: string[]) => execa('node', [join(root, 'bin/ops.js'), ...args], { reject: false, stdin: 'ignore', timeout: 120_000 });
const builds = (root: string) => readdirSync(join(root, 'dist')).sort();

describe('the CLI build (dist/)', () => {
  it('is made on first use, reused while the sources are unchanged, and remade when one changes', async () => {
    const root = copyOfOps();
    const first = await ops(root, ['--help']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('run the backup chain now');
    const [build] = builds(root);
    expect(builds(root)).toEqual([build]);
    const builtAt = statSync(join(root, 'dist', build!, 'cli.js')).mtimeMs;

    expect((await ops(root, ['--help'])).exitCode).toBe(0);
    expect(builds(root)).toEqual([build]);
    expect(statSync(join(root, 'dist', build!, 'cli.js')).mtimeMs).toBe(builtAt);

    const verbs = join(root, 'src/starters/verbs.ts');
    writeFileSync(verbs, readFileSync(verbs, 'utf8').replace("'run the backup chain now'", "'run the backup chain now, edited'"));
    const edited = await ops(root, ['--help']);
    expect(edited.stdout).toContain('run the backup chain now, edited');
    expect(edited.stderr).toBe('');
    expect(builds(root)).toHaveLength(2);
  });

  it('is made once by concurrent first calls, each of which runs', async () => {
    const root = copyOfOps();
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const results = await Promise.all([1, 2, 3, 4].map(() => ops(root, ['--version'])));
    expect(results.map((r) => [r.exitCode, r.stdout])).toEqual(results.map(() => [0, version]));
    expect(builds(root), results.map((r) => r.stderr).join('\n')).toHaveLength(1);
  });

  it('bundles the Temporal client into the build; a verb that runs a worker gets the host build, which bundles no package', async () => {
    const root = copyOfOps();
    const client = await freshBuild(root, ['--config', 'x.yaml', 'restore', 'db', '--latest']);
    const host = await freshBuild(root, ['--config', 'x.yaml', 'worker', '--no-metrics']);
    expect(dirname(client)).toBe(join(root, 'dist', builds(root)[0]!));
    expect(host).toBe(join(dirname(client), 'host', 'cli.js'));
    expect(await freshBuild(root, ['up'])).toBe(host);
    expect(await freshBuild(root, ['completion', 'bash'])).toBe(host);
    // esbuild marks each bundled module with its path: node_modules/... for a package's own files.
    const bundledIn = (dir: string) => readdirSync(dir).filter((f) => /\.c?js$/.test(f)).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^\/\/ \S*node_modules\/(@temporalio\/[^/]+)\//gm)].map((m) => m[1]!));
    expect(new Set(bundledIn(dirname(client)))).toEqual(new Set(['@temporalio/client', '@temporalio/common', '@temporalio/proto', '@temporalio/envconfig', '@temporalio/workflow']));
    expect(bundledIn(dirname(host))).toEqual([]);
    expect(readdirSync(dirname(host)).filter((f) => f.endsWith('.js')).some((f) => readFileSync(join(dirname(host), f), 'utf8').includes('node_modules/'))).toBe(false);
  });

  it("gives the client's build the Temporal descriptors without the worker's and Temporal Cloud's trees, complete in what is left", () => {
    const path = createRequire(import.meta.url).resolve('@temporalio/proto/protos/json-module.js');
    const slim = clientDescriptorModule(readFileSync(path, 'utf8'));
    expect(slim).toBeDefined();
    // Evaluated as the build would load it, on a protobufjs of its own roots so the test's own copy stays apart.
    const protobuf = createRequire(path)('protobufjs/light') as typeof import('protobufjs');
    const module = { exports: {} as import('protobufjs').Root };
    new Function('require', 'module', 'exports', slim!)((id: string) => (id === 'protobufjs/light' ? { ...protobuf, roots: {} } : createRequire(path)(id)), module, module.exports);
    const root = module.exports;
    expect(root.lookup('coresdk')).toBeNull();
    expect(root.lookup('temporal.api.cloud')).toBeNull();
    // Every type a kept message or service names resolves: nothing kept pointed into what was left out.
    expect(() => root.resolveAll()).not.toThrow();
    for (const service of ['workflowservice.v1.WorkflowService', 'operatorservice.v1.OperatorService', 'testservice.v1.TestService']) {
      expect(root.lookupService(`temporal.api.${service}`).methodsArray.length).toBeGreaterThan(0);
    }
    expect(root.lookupService('grpc.health.v1.Health').methods.Check).toBeDefined();
    const History = root.lookupType('temporal.api.history.v1.History');
    const event = { eventId: 7, workflowExecutionStartedEventAttributes: { workflowType: { name: 'restoreBackup' } } };
    expect(History.toObject(History.decode(History.encode({ events: [event] }).finish()), { longs: Number }).events[0]).toEqual(event);
  });

  it("loads the client's packages through the code cache made with the build, and without it when V8 rejects it", async () => {
    const root = copyOfOps();
    const dir = dirname(await freshBuild(root, ['restore', 'db', '--latest']));
    const probe = () =>
      execa('node', ['-e', `const v = require(${JSON.stringify(join(dir, 'cli-vendor.cjs'))}); const { Client } = v.load('client', '@temporalio/client'); console.log(typeof Client, v.cacheUsed('client') ? 'cache' : 'no cache')`]).then((r) => r.stdout);
    expect(await probe()).toBe('function cache');
    const cache = readFileSync(join(dir, 'vendor-client.cache'));
    writeFileSync(join(dir, 'vendor-client.cache'), cache.subarray(0, cache.length >> 1));
    expect(await probe()).toBe('function no cache');
    const restore = await ops(root, ['restore', '--help']);
    expect([restore.exitCode, restore.stderr]).toEqual([0, '']);
    expect(restore.stdout).toContain('--before <iso-time>');
  });

  it('leaves a descriptor module laid out otherwise as it is', () => {
    expect(clientDescriptorModule('module.exports = {};')).toBeUndefined();
    expect(clientDescriptorModule('root.addJSON({ not: json });')).toBeUndefined();
  });

  it('when it cannot be made, the sources run through tsx and one line says so', async () => {
    const root = copyOfOps();
    writeFileSync(join(root, 'dist'), 'not a directory');
    const result = await ops(root, ['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('run the backup chain now');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^ops: could not build dist\/ \(.+\); running the TypeScript sources through tsx instead$/);
  });
});

/**
 * Which @temporalio and @aws-sdk packages a run of the real CLI loaded: from node_modules (they are
 * CommonJS: require.cache has them) or from the build's vendor bundle (its loader lists them).
 */
async function temporalPackagesLoadedBy(args: string[]): Promise<string[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'ops-loaded-')), 'loaded.json');
  temps.push(resolve(out, '..'));
  const probe = [
    "import { createRequire } from 'node:module';",
    "import { writeFileSync } from 'node:fs';",
    "const require = createRequire(process.cwd() + '/');",
    "const vendor = () => Object.entries(require.cache).find(([path]) => path.endsWith('/cli-vendor.cjs'))?.[1].exports.loaded().map((id) => '/node_modules/' + id + '/') ?? [];",
    "process.on('exit', () => writeFileSync(process.env.LOADED_OUT, JSON.stringify([...Object.keys(require.cache), ...vendor()])));",
  ].join('\n');
  const result = await execa('node', ['--import', `data:text/javascript,${encodeURIComponent(probe)}`, OPS_BIN, ...args], { reject: false, stdin: 'ignore', env: { LOADED_OUT: out } });
  expect(result.stderr).not.toContain('Error');
  const loaded = JSON.parse(readFileSync(out, 'utf8')) as string[];
  return [...new Set(loaded.flatMap((path) => /node_modules\/(@temporalio\/[^/]+|@aws-sdk\/[^/]+)/.exec(path)?.[1] ?? []))];
}

describe('verbs load lazily', () => {
  it('ops --help and ops backups list load no Temporal package; a verb that talks to Temporal has the client bundled; a worker loads it from node_modules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-lazy-'));
    temps.push(dir);
    writeFileSync(join(dir, 'ops.config.yaml'), `repository: ${join(dir, 'repository')}\n`);
    expect(await temporalPackagesLoadedBy(['--help'])).toEqual([]);
    expect(await temporalPackagesLoadedBy(['--config', join(dir, 'ops.config.yaml'), 'backups', 'list'])).toEqual([]);
    expect(await temporalPackagesLoadedBy(['worker', '--help'])).toEqual(expect.arrayContaining(['@temporalio/worker', '@temporalio/common', '@temporalio/client']));
    expect(await temporalPackagesLoadedBy(['restore', '--help'])).toEqual(expect.arrayContaining(['@temporalio/client']));
  });

  it('ops backups list loads the AWS SDK only with --offsite and an S3 destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ops-lazy-'));
    temps.push(dir);
    const config = join(dir, 'ops.config.yaml');
    writeFileSync(config, `repository: ${join(dir, 'repository')}\nbackup:\n  offsite: [${join(dir, 'offsite')}, { url: s3://bucket/ops, endpoint: 'http://127.0.0.1:9', forcePathStyle: true }]\n`);
    expect(await temporalPackagesLoadedBy(['--config', config, 'backups', 'list'])).toEqual([]);
    expect(await temporalPackagesLoadedBy(['--config', config, 'backups', 'list', '--offsite'])).toContain('@aws-sdk/client-s3');
  });
});
