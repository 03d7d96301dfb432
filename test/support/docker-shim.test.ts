import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteForShell } from '../../src/commands/shell-quote.js';
import { freePort } from '../../src/local-servers/free-port.js';
import { dockerRegistryDir } from '../global-setup.js';
import { testServers } from './servers.js';
import { sshClientArgs } from './sshd.js';
import { waitFor } from './wait-for.js';

const SAMPLE_APP = fileURLToPath(new URL('../fixtures/sample-app', import.meta.url));
const SHIM = fileURLToPath(new URL('./docker-shim/docker', import.meta.url));
const { sshd, scratchRoot, dockerShimState } = testServers();

/** The same host over real ssh, so the shim runs with the PATH and DOCKER_SHIM_STATE the test sshd sets. */
function remote(argv: string[]) {
  return execa('ssh', [...sshClientArgs(sshd), `${sshd.user}@${sshd.host}`, '--', quoteForShell(argv)], {
    reject: false,
    stdin: 'ignore',
    // A detached server still holding the session's pipes would make ssh hang here.
    timeout: 30_000,
  });
}

const composeArgv = (releaseDir: string, project: string, ...command: string[]) => [
  'compose', '--project-directory', releaseDir, '-f', join(releaseDir, 'docker-compose.yml'), '-p', project, ...command,
];
const compose = (releaseDir: string, project: string, ...command: string[]) => remote(['docker', ...composeArgv(releaseDir, project, ...command)]);

async function get(port: number, path: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

const answersOn = (port: number) => waitFor(`the app on port ${port}`, async () => (await get(port, '/health')) !== undefined, 10_000);
const record = async (project: string) => JSON.parse(await readFile(join(dockerShimState, `${project}.json`), 'utf8')) as { pid: number; projectDir: string };

/** A stopped server nobody reaps stays a zombie, which signal 0 still reaches. */
function isAlive(pid: number): boolean {
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat !== '' && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

describe('docker shim over ssh', () => {
  let dir: string;
  const projects: string[] = [];
  const newProject = () => {
    const project = `demo-${randomBytes(3).toString('hex')}`;
    projects.push(project);
    return project;
  };

  async function release(name: string, files: Record<string, string>): Promise<string> {
    const releaseDir = join(dir, 'releases', name);
    await cp(SAMPLE_APP, releaseDir, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(join(releaseDir, file), content, { mode: file === '.env' ? 0o600 : 0o644 });
    return releaseDir;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(scratchRoot, 'docker-shim-'));
  });

  afterAll(async () => {
    for (const project of projects) {
      const file = join(dockerShimState, `${project}.json`);
      if (!existsSync(file)) continue;
      try {
        process.kill(-(await record(project)).pid, 'SIGKILL');
      } catch {
        // Already stopped.
      }
      await rm(file, { force: true });
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('is the docker that ssh sessions run, with the run’s state dir', async () => {
    const result = await remote(['sh', '-c', 'command -v docker; printenv DOCKER_SHIM_STATE']);
    expect(result.stdout.split('\n')).toEqual([SHIM, dockerShimState]);
  });

  it('builds and starts a release, then replaces it with the next one', async () => {
    const project = newProject();
    const port = await freePort();
    const env = `PORT=${port}\nAPP_GREETING=hello\nAPP_SECRET_TOKEN=do-not-print-me\n`;
    const first = await release('r1', { '.env': env });

    const build = await compose(first, project, 'build');
    expect(build.exitCode, build.stderr).toBe(0);
    const up = await compose(first, project, 'up', '-d', '--remove-orphans');
    expect(up.exitCode, up.stderr).toBe(0);
    await answersOn(port);
    expect(await get(port, '/health')).toEqual({ status: 200, body: JSON.stringify({ status: 'ok', version: '1.0.0', release: 'r1' }) });
    const home = await get(port, '/');
    expect(home?.body).toContain('1.0.0');
    expect(home?.body).toContain('hello');
    const firstPid = (await record(project)).pid;

    // Quoted and escaped the way the deploy pipeline renders .env values.
    const quotedEnv = `PORT="${port}"\nAPP_GREETING="say \\"hi\\" for \\$5 \\\\ now" # comment\n`;
    const second = await release('r2', { '.env': quotedEnv, VERSION: '1.1.0\n' });
    const upAgain = await compose(second, project, 'up', '-d', '--remove-orphans');
    expect(upAgain.exitCode, upAgain.stderr).toBe(0);
    expect(isAlive(firstPid)).toBe(false);
    await answersOn(port);
    expect(JSON.parse((await get(port, '/health'))!.body)).toEqual({ status: 'ok', version: '1.1.0', release: 'r2' });
    expect((await get(port, '/'))?.body).toContain('say "hi" for $5 \\ now');

    const ps = await compose(second, project, 'ps');
    expect(ps.stdout.split('\n')).toEqual(['NAME\tSTATE\tPROJECT DIR', `${project}-app-1\trunning\t${second}`]);
    const log = await readFile(join(dockerShimState, `${project}.log`), 'utf8');
    expect(log).toContain('APP_SECRET_TOKEN=[redacted]');
    expect(log).not.toContain('do-not-print-me');
  });

  it('stops the release on down', async () => {
    const project = newProject();
    const port = await freePort();
    const releaseDir = await release('down', { '.env': `PORT=${port}\n` });
    expect((await compose(releaseDir, project, 'up', '-d')).exitCode).toBe(0);
    await answersOn(port);
    const { pid } = await record(project);

    const down = await compose(releaseDir, project, 'down');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await get(port, '/health')).toBeUndefined();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(dockerShimState, `${project}.json`))).toBe(false);
    expect((await compose(releaseDir, project, 'ps')).stdout).toBe('NAME\tSTATE\tPROJECT DIR');
  });

  it('fails the build when the release has BUILD_FAIL', async () => {
    const releaseDir = await release('broken-build', { BUILD_FAIL: 'npm ERR! missing script: build\n' });
    const build = await compose(releaseDir, newProject(), 'build');
    expect(build.exitCode).toBe(1);
    expect(build.stderr).toContain('failed to solve');
  });

  it('fails up with the log tail when the app dies at start', async () => {
    const project = newProject();
    const releaseDir = await release('no-port', { '.env': 'APP_GREETING=hello\n' });
    const up = await compose(releaseDir, project, 'up', '-d');
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toContain('PORT must be a port number');
    expect(existsSync(join(dockerShimState, `${project}.json`))).toBe(false);
  });

  it('refuses commands it does not implement', async () => {
    const result = await remote(['docker', 'run', 'nginx']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('docker shim: unsupported: run nginx');
  });

  it('logs the exact argv of every call', async () => {
    const project = newProject();
    const port = await freePort();
    const releaseDir = await release('logged', { '.env': `PORT=${port}\n` });
    const commands = [['build'], ['up', '-d', '--remove-orphans'], ['ps'], ['down']];
    for (const command of commands) expect((await compose(releaseDir, project, ...command)).exitCode).toBe(0);

    const calls = (await readFile(join(dockerShimState, 'calls.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { argv: string[]; cwd: string; at: string })
      .filter((call) => call.argv.includes(project));
    expect(calls.map((call) => call.argv)).toEqual(commands.map((command) => composeArgv(releaseDir, project, ...command)));
    expect(calls.every((call) => !Number.isNaN(Date.parse(call.at)) && call.cwd.startsWith('/'))).toBe(true);
  });

  it('compose exec -T runs the command as the listed service\'s "container": its env, the session\'s stdin and stdout, its exit status', async () => {
    const project = newProject();
    const servicesFile = join(dockerShimState, `${project}.services.json`);
    await writeFile(servicesFile, JSON.stringify({ db: { env: { SHIM_SERVICE_ENV: 'from-the-container' } } }));
    try {
      const run = (argv: string[], input: string) =>
        execa('ssh', [...sshClientArgs(sshd), `${sshd.user}@${sshd.host}`, '--', quoteForShell(['docker', 'compose', '-p', project, ...argv])], { reject: false, input, timeout: 30_000 });
      const echoed = await run(['exec', '-T', 'db', 'sh', '-c', 'printf "%s:" "$SHIM_SERVICE_ENV"; cat; exit 7'], 'stdin through\n');
      expect([echoed.exitCode, echoed.stdout]).toEqual([7, 'from-the-container:stdin through']);

      const stopped = await run(['exec', '-T', 'cache', 'true'], '');
      expect([stopped.exitCode, stopped.stderr]).toEqual([1, 'service "cache" is not running']);
      const tty = await run(['exec', 'db', 'true'], '');
      expect([tty.exitCode, tty.stderr]).toEqual([1, 'docker shim: unsupported: exec without -T (a TTY would mangle binary output)']);
    } finally {
      await rm(servicesFile, { force: true });
    }
  });

  it('images: build stores a content-derived ID; save | load carries it to another host; up --no-build needs it; LOAD_FAIL fails load', async () => {
    const project = newProject();
    const releaseDir = await release('images', { '.env': 'PORT=1\n' });
    expect((await compose(releaseDir, project, 'build')).exitCode).toBe(0);
    const images = await compose(releaseDir, project, 'config', '--images');
    expect(images.stdout).toBe(`${project}-app`);
    expect((await remote(['docker', 'tag', `${project}-app`, `${project}-shipped:abc`])).exitCode).toBe(0);
    const inspect = await remote(['docker', 'image', 'inspect', '--format', '{{.Id}}', `${project}-app`, `${project}-shipped:abc`]);
    const [built, tagged] = inspect.stdout.split('\n');
    expect(built).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(tagged).toBe(built);

    // Another state dir is another host's engine; its .env differs, which is runtime config and not in the image.
    const other = await mkdtemp(join(dir, 'other-host-'));
    const onOther = (args: string[], input?: Buffer) => execa(SHIM, args, { env: { DOCKER_SHIM_STATE: other }, reject: false, ...(input ? { input } : {}) });
    expect((await onOther(['compose', ...composeArgv(releaseDir, project, 'up', '-d', '--no-build').slice(1)])).stderr).toContain(`pull access denied for ${project}-app`);
    const saved = await remote(['docker', 'save', `${project}-shipped:abc`]);
    await writeFile(join(releaseDir, '.env'), 'PORT=2\n');
    const loaded = await onOther(['load'], Buffer.from(saved.stdout));
    expect(loaded.exitCode, loaded.stderr).toBe(0);
    expect((await onOther(['image', 'inspect', '--format', '{{.Id}}', `${project}-shipped:abc`])).stdout).toBe(built);
    expect((await onOther(['image', 'inspect', '--format', '{{.Id}}', 'never-built'])).stderr).toBe('Error response from daemon: No such image: never-built:latest');

    await writeFile(join(other, 'LOAD_FAIL'), 'unexpected EOF');
    const refused = await onOther(['load'], Buffer.from(saved.stdout));
    expect([refused.exitCode, refused.stderr]).toEqual([1, 'unexpected EOF']);
  });

  it('images: twelve builds at once on one host (concurrent deploys share the test sshd) all succeed, and every image stays in the store', async () => {
    const host = await mkdtemp(join(dir, 'busy-host-'));
    const builds = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const project = `busy-${i}`;
      const releaseDir = await release(`busy-${i}`, { 'marker.txt': `${i}\n` });
      const result = await execa(SHIM, ['compose', ...composeArgv(releaseDir, project, 'build').slice(1)], { env: { DOCKER_SHIM_STATE: host }, reject: false });
      return { project, result };
    }));
    for (const { result } of builds) expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const store = JSON.parse(await readFile(join(host, 'images', 'store.json'), 'utf8')) as { tags: Record<string, string> };
    expect(Object.keys(store.tags).sort()).toEqual(builds.map(({ project }) => `${project}-app:latest`).sort());
    expect(existsSync(join(host, 'images', 'store.json.lock'))).toBe(false);
  });

  it('registry: push from one host into the directory that plays the registry, pull on another under the same ID; PULL_FAIL and an unknown tag fail the pull', async () => {
    const project = newProject();
    const releaseDir = await release('registry', {});
    expect((await compose(releaseDir, project, 'build')).exitCode).toBe(0);
    const ref = `registry.example.com/team/${project}-app:abc`;
    expect((await remote(['docker', 'tag', `${project}-app`, ref])).exitCode).toBe(0);
    const built = (await remote(['docker', 'image', 'inspect', '--format', '{{.Id}}', ref])).stdout;
    const pushed = await remote(['docker', 'push', ref]);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain(`abc: digest: ${built}`);

    const other = await mkdtemp(join(dir, 'other-host-'));
    const onOther = (args: string[]) => execa(SHIM, args, { env: { DOCKER_SHIM_STATE: other, DOCKER_SHIM_REGISTRY: dockerRegistryDir(scratchRoot) }, reject: false });
    expect((await onOther(['pull', ref])).exitCode).toBe(0);
    expect((await onOther(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout).toBe(built);
    const unknown = await onOther(['pull', `registry.example.com/team/${project}-app:never`]);
    expect([unknown.exitCode, unknown.stderr]).toEqual([1, `Error response from daemon: manifest for registry.example.com/team/${project}-app:never not found: manifest unknown: manifest unknown`]);
    await writeFile(join(other, 'PULL_FAIL'), 'unauthorized');
    expect(await onOther(['pull', ref])).toMatchObject({ exitCode: 1, stderr: 'unauthorized' });
    expect((await remote(['docker', 'push', `registry.example.com/team/${project}-app:never`])).stderr).toBe(`An image does not exist locally with the tag: registry.example.com/team/${project}-app`);
  });
});
