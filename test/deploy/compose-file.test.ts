import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chooseConfigFile } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';
import { connectionSettings } from '../../src/temporal/connection-settings.js';
import { DEFAULT_TASK_QUEUE, searchAttributeCliPairs, taskQueueFrom } from '../../src/temporal/names.js';
import { findTemporalBinary } from '../../src/temporal/temporal-binary.js';

const ROOT = resolve(import.meta.dirname, '../..');
const COMPOSE_FILE = 'docker-compose.temporal.yml';
/** Temporal's frontend gRPC port. */
const TEMPORAL_FRONTEND_PORT = 7233;

type Env = Record<string, string | undefined>;
interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { type: string; source?: string; target: string; read_only?: boolean })[];
  command?: string | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const compose = parse(read(COMPOSE_FILE)) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const dockerfile = parseDockerfile(read('Dockerfile'));
const defaults = configSchema({ env: {}, baseDir: '/' }).parse({});
const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; dependencies: Record<string, string> };

const serviceWith = (what: string, match: (s: Service) => boolean) => {
  const found = services.find(([, s]) => match(s));
  if (!found) throw new Error(`${COMPOSE_FILE}: no service ${what}`);
  return { name: found[0], ...found[1] };
};
const temporal = serviceWith('runs the Temporal server', (s) => /^temporalio\/(auto-setup|server):/.test(s.image ?? ''));
const ui = serviceWith('runs the Temporal UI', (s) => (s.image ?? '').startsWith('temporalio/ui:'));
const registrar = serviceWith('creates search attributes', (s) => commandText(s).includes('search-attribute create'));
const worker = serviceWith('is built from the Dockerfile', (s) => s.build !== undefined);
const workerEnv = envOf(worker);

/** Which of ops' env-reading entry points picks up a variable: proves the code reads that exact name. */
const MARKER = 'probe-7f3a';
const envReaders: Record<string, (env: Env) => string | undefined> = {
  'Temporal address': (env) => connectionSettings(env).connectionOptions.address,
  'Temporal namespace': (env) => connectionSettings(env).namespace,
  'Temporal UI URL': (env) => connectionSettings(env).uiUrl,
  'task queue': (env) => taskQueueFrom(env),
  'config file': (env) => chooseConfigFile(undefined, env, '/'),
};
const readerOf = (key: string) => Object.keys(envReaders).find((reader) => envReaders[reader]!({ [key]: MARKER })?.includes(MARKER));
const workerKeyFor = (reader: string) => Object.keys(workerEnv).find((key) => readerOf(key) === reader);

describe(COMPOSE_FILE, () => {
  it('pins every image, here and in the Dockerfile, to a versioned tag', () => {
    const images = [...services.flatMap(([, s]) => (s.image ? [s.image] : [])), ...dockerfile.all('FROM').map((from) => from.split(/\s+/)[0]!)];
    expect(images.length).toBeGreaterThan(4);
    for (const image of images) expect(tagOf(image), image).toMatch(/^(?!latest$).*\d/);
    for (const [name, s] of services) expect(s.image ?? s.build, `${name} has an image or a build`).toBeDefined();
  });

  it('runs the Temporal server and UI versions that `ops up` runs', async () => {
    const { stdout } = await execa(findTemporalBinary(), ['--version']);
    const [, server, uiVersion] = /Server ([\d.]+), UI ([\d.]+)/.exec(stdout) ?? [];
    expect(tagOf(temporal.image!)).toBe(server);
    expect(tagOf(registrar.image!)).toMatch(new RegExp(`^${server!.replaceAll('.', '\\.')}(-|$)`));
    expect(tagOf(ui.image!)).toBe(uiVersion);
  });

  it('publishes the Temporal frontend and points the worker, the UI and the registrar at it', () => {
    const address = `${temporal.name}:${TEMPORAL_FRONTEND_PORT}`;
    expect(portsOf(temporal)).toContainEqual({ published: TEMPORAL_FRONTEND_PORT, target: TEMPORAL_FRONTEND_PORT });
    expect(connectionSettings(workerEnv).connectionOptions.address).toBe(address);
    const addressKey = workerKeyFor('Temporal address')!;
    expect(envOf(ui)[addressKey]).toBe(address);
    expect(envOf(registrar)[addressKey]).toBe(address);
  });

  it('registers exactly the search attributes of names.ts, in the worker namespace, before the worker starts', () => {
    expect(registeredSearchAttributes(commandText(registrar)).sort()).toEqual(searchAttributeCliPairs().sort());
    expect(envOf(registrar)[workerKeyFor('Temporal namespace')!]).toBe(connectionSettings(workerEnv).namespace);
    expect(dependencyCondition(worker, registrar.name)).toBe('service_completed_successfully');
  });

  it('gives the worker only env vars that ops reads, including the task queue and the config file', () => {
    expect(Object.keys(workerEnv).filter((key) => readerOf(key) === undefined)).toEqual([]);
    expect(workerKeyFor('task queue')).toBeDefined();
    expect(taskQueueFrom(workerEnv)).toBe(DEFAULT_TASK_QUEUE);
    expect(workerKeyFor('config file')).toBeDefined();
  });

  it('mounts the config read-only where OPS_CONFIG points, and keeps the default state paths in a volume', () => {
    const configFile = chooseConfigFile(undefined, workerEnv, '/');
    const mounts = mountsOf(worker);
    expect(mounts.find((m) => m.target === configFile)).toMatchObject({ type: 'bind', readOnly: true });
    const volumeTargets = mounts.filter((m) => m.type === 'volume').map((m) => m.target);
    for (const path of [defaults.stateDir, defaults.repository, defaults.reports]) {
      const absolute = resolve(dirname(configFile), path);
      const volume = volumeTargets.find((target) => !relative(target, absolute).startsWith('..'));
      expect(volume, `${absolute} is in a volume`).toBeDefined();
      expect(dockerfile.all('RUN').some((run) => run.includes('chown') && run.includes(volume!)), `the image lets its user write ${volume}`).toBe(true);
    }
  });

  it('publishes and exposes the metrics port of the config schema, and health-checks it', () => {
    const port = defaults.metrics.port;
    expect(portsOf(worker)).toContainEqual({ published: port, target: port });
    expect(dockerfile.all('EXPOSE').flatMap((e) => e.split(/\s+/)).map((p) => parseInt(p, 10))).toContain(port);
    expect(dockerfile.all('HEALTHCHECK').join(' ')).toContain(`:${port}/metrics`);
  });
});

describe('Dockerfile', () => {
  it('runs the ops CLI through bin/ops.js, with a verb the CLI registers', () => {
    expect(JSON.parse(dockerfile.last('ENTRYPOINT'))).toEqual(['node', pkg.bin.ops]);
    const [verb] = JSON.parse(dockerfile.last('CMD')) as string[];
    const starters = readdirSync(join(ROOT, 'src/starters')).map((file) => read(`src/starters/${file}`)).join('\n');
    expect(starters).toContain(`.command('${verb}')`);
  });

  it('installs a Debian package for every executable the commands and activities run', () => {
    const packages = dockerfile.aptPackages();
    for (const alternatives of executablesRun()) {
      const provided = alternatives.filter((exe) => {
        const provider = DEBIAN_PROVIDERS[exe];
        if (!provider) throw new Error(`${exe}: add its Debian package to DEBIAN_PROVIDERS and to the Dockerfile`);
        return provider === 'base image' || packages.some((p) => provider.test(p));
      });
      expect(provided, `one of ${alternatives.join(', ')} (installed: ${packages.join(' ')})`).not.toEqual([]);
    }
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const copy of dockerfile.all('COPY').filter((c) => !c.includes('--from'))) {
      for (const source of copy.split(/\s+/).filter((t) => !t.startsWith('--')).slice(0, -1)) {
        expect(() => readdirOrRead(source), `COPY ${source}`).not.toThrow();
        expect(ignored, `COPY ${source}`).not.toContain(source);
      }
    }
  });

  it('keeps every package the runtime imports in "dependencies", since the image omits dev dependencies', () => {
    expect(dockerfile.all('RUN').join(' ')).toContain('--omit=dev');
    const files = ['bin/ops.js', ...sourceFiles('src')];
    const imported = new Set(files.flatMap((file) => runtimeImports(read(file))));
    const missing = [...imported].filter((name) => !(name in pkg.dependencies));
    expect(missing).toEqual([]);
  });
});

/** Debian packages that put each executable on PATH. */
const DEBIAN_PROVIDERS: Record<string, RegExp | 'base image'> = {
  pg_dump: /^postgresql-client(-\d+)?$/,
  pg_restore: /^postgresql-client(-\d+)?$/,
  'mariadb-dump': /^mariadb-client$/,
  mysqldump: /^(mariadb-client|default-mysql-client)$/,
  mariadb: /^mariadb-client(-core)?$/,
  mysql: /^(mariadb-client(-core)?|default-mysql-client)$/,
  rsync: /^rsync$/,
  ssh: /^openssh-client$/,
  zstd: /^zstd$/,
  age: /^age$/,
  psql: /^postgresql-client(-\d+)?$/,
  'age-keygen': /^age$/,
  git: /^git$/,
  gzip: 'base image',
  tar: 'base image',
  // util-linux is Essential: every Debian image has it.
  setpriv: 'base image',
  // dash and coreutils are Essential too.
  sh: 'base image',
  // sed is Essential as well (the MySQL dump's ALTER DATABASE filter).
  sed: 'base image',
};

/** Each entry lists alternatives, any one of which will do (findExecutable takes the first on PATH). */
function executablesRun(): string[][] {
  const text = [...sourceFiles('src/commands'), ...sourceFiles('src/activities')].map(read).join('\n');
  const literal = [...text.matchAll(/\bfile:\s*'([^']+)'/g)].map((m) => [m[1]!]);
  const found = [...text.matchAll(/findExecutable\(\[([^\]]*)\]/g)].map((m) => [...m[1]!.matchAll(/'([^']+)'/g)].map((n) => n[1]!))
    // A lookup of a variable (start-child checks the caller's tool exists) names no tool of its own.
    .filter((names) => names.length > 0);
  return [...literal, ...found];
}

function runtimeImports(source: string): string[] {
  const specifiers = [...source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)]
    .filter((m) => !m[1])
    .map((m) => m[2]!);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file));
}

function readdirOrRead(path: string): void {
  try {
    readdirSync(join(ROOT, path));
  } catch {
    read(path);
  }
}

function tagOf(image: string): string | undefined {
  const [name] = image.split('@');
  const colon = name!.lastIndexOf(':');
  return colon > name!.lastIndexOf('/') ? name!.slice(colon + 1) : undefined;
}

function envOf(service: Service): Env {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)]));
}

function portsOf(service: Service): { published: number; target: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { published: Number(port.published), target: port.target };
    const parts = String(port).replace(/\/\w+$/, '').split(':');
    return { published: Number(parts.at(-2) ?? parts.at(-1)), target: Number(parts.at(-1)) };
  });
}

function mountsOf(service: Service): { type: string; target: string; readOnly: boolean }[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'object') return { type: volume.type, target: volume.target, readOnly: volume.read_only === true };
    const [source, target, mode] = volume.split(':');
    return { type: /^[./~]/.test(source!) ? 'bind' : 'volume', target: target!, readOnly: mode?.split(',').includes('ro') ?? false };
  });
}

function commandText(service: Service): string {
  return [service.command ?? []].flat().join('\n');
}

function dependencyCondition(service: Service, on: string): string | undefined {
  const dependsOn = service.depends_on ?? {};
  return Array.isArray(dependsOn) ? (dependsOn.includes(on) ? 'service_started' : undefined) : dependsOn[on]?.condition;
}

/** `Name=Type` for every `--name X --type Y` pair of every `search-attribute create` line. */
function registeredSearchAttributes(script: string): string[] {
  return script
    .split('\n')
    .filter((line) => line.includes('search-attribute create'))
    .flatMap((line) => {
      const values = (flag: string) => [...line.matchAll(new RegExp(`--${flag}[ =]([A-Za-z]+)`, 'g'))].map((m) => m[1]!);
      const [names, types] = [values('name'), values('type')];
      expect(names.length, line).toBe(types.length);
      return names.map((name, i) => `${name}=${types[i]}`);
    });
}

function parseDockerfile(text: string) {
  const instructions = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => /^\s*([A-Z]+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, keyword, args]) => ({ keyword: keyword!, args: args!.trim() }));
  const argDefaults = Object.fromEntries(
    instructions.filter((i) => i.keyword === 'ARG' && i.args.includes('=')).map((i) => i.args.split('=', 2) as [string, string]),
  );
  const expand = (s: string) => s.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => argDefaults[name] ?? whole);
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword).map((i) => expand(i.args));
  return {
    all,
    last: (keyword: string) => all(keyword).at(-1) ?? '',
    aptPackages: () =>
      all('RUN')
        .flatMap((run) => run.split(/&&|;|\|\|/))
        .filter((step) => /\bapt-get\s+install\b/.test(step))
        .flatMap((step) => step.split(/\s+/).slice(step.split(/\s+/).indexOf('install') + 1))
        .filter((token) => token && !token.startsWith('-')),
  };
}
