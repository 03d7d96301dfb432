import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseLogLine } from '../../src/records/release-log.js';
import { appendOnceFromStdin, inSequence, openReleaseRoot, RELEASE_STATE_SEPARATOR, runInDir } from '../../src/commands/release-files.js';
import { parseReleaseLog, type ReleaseLogEntry } from '../../src/core/release-log.js';
import { parseReleaseState } from '../../src/core/release-state.js';

describe('release files', () => {
  it.each<[string, string[][], string[]]>([
    ['one command stays as it is', [['mkdir', '-p', '--', '/srv/a b']], ['mkdir', '-p', '--', '/srv/a b']],
    ['several run in one shell, each quoted', [['docker', 'compose', 'up', '-d'], ['sh', '-c', 'ln -sfn -- "$1" x', 'sh', "it's"]], ['sh', '-c', `docker compose up -d && sh -c 'ln -sfn -- "$1" x' sh 'it'"'"'s'`]],
  ])('inSequence: %s', (_name, steps, expected) => {
    expect(inSequence(...steps)).toEqual(expected);
  });

  describe('run by a real shell', () => {
    let root: string;
    beforeEach(async () => {
      root = join(await mkdtemp(join(tmpdir(), 'ops-release-files-')), 'app root');
    });
    afterEach(async () => {
      await rm(join(root, '..'), { recursive: true, force: true });
    });
    const toExeca = (argv: string[]): [string, string[]] => [argv[0]!, argv.slice(1)];
    const run = async (argv: string[]) => (await execa(argv[0]!, argv.slice(1))).stdout + '\n';

    it('runInDir runs the argv in the dir (spaces and all), everything it prints on stderr, its exit code passed on', async () => {
      await mkdir(root, { recursive: true });
      const result = await execa(...toExeca(runInDir(root, ['sh', '-c', 'pwd; echo "to stderr" >&2; echo "$1"; exit 3', 'sh', "it's $HOME"])), { reject: false });
      expect([result.exitCode, result.stdout, result.stderr]).toEqual([3, '', `${root}\nto stderr\nit's $HOME`]);
    });

    it('openReleaseRoot makes releases/ on a first deploy and reports an empty root', async () => {
      expect(parseReleaseState(await run(openReleaseRoot(root)), RELEASE_STATE_SEPARATOR)).toEqual({ current: null, dirs: [], log: [] });
      await expect(execa('test', ['-d', join(root, 'releases')])).resolves.toBeTruthy();
    });

    it('openReleaseRoot reports current, the release dirs and the log', async () => {
      const a = 'a'.repeat(40);
      const b = 'b'.repeat(40);
      await mkdir(join(root, 'releases', a), { recursive: true });
      await mkdir(join(root, 'releases', b));
      await symlink(`releases/${b}`, join(root, 'current'));
      const line = { at: '2026-11-22T10:00:00Z', app: 'crm', stage: 'prod', sha: b, previous: a, event: 'deployed', by: 'ci', workflowId: 'w' };
      await writeFile(join(root, 'releases.log'), `${JSON.stringify(line)}\n`);
      expect(parseReleaseState(await run(openReleaseRoot(root)), RELEASE_STATE_SEPARATOR)).toEqual({ current: b, dirs: [a, b], log: [line] });
    });

    it('appendOnceFromStdin: a retried append of the same run and event writes one line; another run, event or a detail quoting the key still appends', async () => {
      await mkdir(root, { recursive: true });
      const log = join(root, 'releases.log');
      const entry = (over: Partial<ReleaseLogEntry>): ReleaseLogEntry => ({
        at: new Date().toISOString(), app: 'crm', stage: 'prod', sha: 'a'.repeat(40), previous: null, event: 'deployed', by: 'ci', workflowId: 'deploy-crm', runId: 'run-1', ...over,
      });
      const append = async (e: ReleaseLogEntry) => {
        const { line, key } = releaseLogLine(e);
        await execa(...toExeca(appendOnceFromStdin(log, key!)), { input: line });
      };
      const first = entry({ detail: 'a detail that says "workflowId":"deploy-crm","runId":"run-2","event":"failed"' });
      await append(first);
      await append({ ...first, at: '2026-11-22T23:59:59.000Z' });
      await append(entry({ runId: 'run-2', event: 'failed' }));
      await append(entry({ runId: 'run-2', event: 'failed', at: '2026-11-22T23:59:59.000Z' }));
      await append(entry({ runId: 'run-2', event: 'rolled-back' }));
      const events = parseReleaseLog(await readFile(log, 'utf8')).map((e) => [e.runId, e.event]);
      expect(events).toEqual([['run-1', 'deployed'], ['run-2', 'failed'], ['run-2', 'rolled-back']]);
    });

    it('releaseLogLine has no key without a runId: every deploy of an app shares one workflow id', () => {
      const { line, key } = releaseLogLine({ at: 't', app: 'crm', stage: 'prod', sha: 'a'.repeat(40), previous: null, event: 'deployed', by: 'ci', workflowId: 'deploy-crm' });
      expect(key).toBeUndefined();
      expect(JSON.parse(line)).toMatchObject({ workflowId: 'deploy-crm', event: 'deployed' });
    });

    it('inSequence stops at the first failing command and exits with its code', async () => {
      const marker = join(root, 'ran');
      await mkdir(root, { recursive: true });
      const result = await execa('sh', ['-c', 'exec "$@"', 'sh', ...inSequence(['sh', '-c', 'exit 7'], ['touch', marker])], { reject: false });
      expect(result.exitCode).toBe(7);
      await expect(execa('test', ['-e', marker])).rejects.toThrow();
    });
  });
});
