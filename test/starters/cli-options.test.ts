import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPS_BIN, runCli } from '../support/run-cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ESCAPE = '\x1b[';

describe('ops global options, version, completion and colour', () => {
  let dir: string;
  let config: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ops-options-'));
    config = join(dir, 'own.yaml');
    writeFileSync(config, `repository: ${join(dir, 'repository')}\nfiles: [{ name: docs, source: ${dir} }]\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--config', 'CONFIG', 'config', 'check']],
    [['config', 'check', '--config', 'CONFIG']],
    [['config', '--config', 'CONFIG', 'check']],
    [['config', 'check', '-c', 'CONFIG', '-v']],
    [['config', 'check', '--config=CONFIG']],
  ])('global options work before or after the verb: ops %j', async (args) => {
    const result = await runCli(args.map((a) => a.replace('CONFIG', config)));
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${config}: OK`);
    expect(result.exitCode).toBe(0);
  });

  it('a nested verb takes --config after its arguments: ops deploy approve crm --by x --config FILE', async () => {
    const missing = join(dir, 'missing.yaml');
    const result = await runCli(['deploy', 'approve', 'crm', '--by', 'x', '--config', missing]);
    expect(result.stderr).toContain(`${missing}: cannot read config (ENOENT)`);
    expect(result.exitCode).toBe(2);
  });

  it('--verbose after the verb prints the stack, naming the TypeScript sources, not the build', async () => {
    const result = await runCli(['config', 'check', '--verbose', '--config', join(dir, 'missing.yaml')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`at loadConfig (${join(ROOT, 'src/config/load-config.ts')}:`);
    expect(result.stderr).not.toContain('/dist/');
  });

  it('backups list reads the config given after it', async () => {
    const result = await runCli(['backups', 'list', '--config', config]);
    expect(result.stdout).toBe(`no backups in ${join(dir, 'repository')}`);
  });

  it('ops --version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect([result.exitCode, result.stdout]).toEqual([0, version]);
    }
  });

  it('the bash completion script completes verbs, subverbs and options in a real bash', async () => {
    const script = (await runCli(['completion', 'bash'])).stdout;
    const complete = async (line: string) => {
      const words = line.split(' ');
      const program = [
        script,
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
        '_ops_completion',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      const result = await execa('bash', ['--norc', '--noprofile', '-c', program]);
      return result.stdout.split('\n').filter(Boolean).sort();
    };
    expect(await complete('ops ba')).toEqual(['backup', 'backups']);
    expect(await complete('ops backups ')).toEqual(['--config', '--help', '--verbose', '-c', '-h', '-v', 'list', 'reencrypt', 'show']);
    expect(await complete('ops deploy ap')).toEqual(['approve']);
    expect(await complete('ops deploy approve crm --re')).toEqual(['--reason', '--reject', '--restore-db']);
    expect(await complete('ops --config x.yaml sch')).toEqual(['schedules']);
    expect(await complete('ops schedules list --conf')).toEqual(['--config']);
    // After an option that takes a value, bash falls back to file names.
    expect(await complete('ops --config ')).toEqual([]);
  });

  it('the zsh script wraps the same completion for zsh\'s bash compatibility', async () => {
    const [bash, zsh] = await Promise.all([runCli(['completion', 'bash']), runCli(['completion', 'zsh'])]);
    expect(zsh.stdout.split('\n')[0]).toBe('#compdef ops');
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain(bash.stdout);
    const fish = await runCli(['completion', 'fish']);
    expect([fish.exitCode, fish.stderr]).toEqual([2, 'error: completion: unknown shell "fish" (bash or zsh)']);
  });

  it('the zsh script completes verbs, subverbs and options in a real interactive zsh, on Tab', async () => {
    const script = join(dir, 'ops.zsh');
    writeFileSync(script, (await runCli(['completion', 'zsh'])).stdout);
    const lines = ['ops deploy ap', 'ops ba', 'ops deploy approve crm --rej', 'ops --config x.yaml sch', 'ops schedules list --conf', 'ops backups l'];
    // zsh/zpty types each line and a Tab into an interactive zsh, then a key whose widget prints the edited line.
    const driver = [
      'zmodload zsh/zpty',
      `zpty z 'env TERM=dumb PS1="> " zsh -f -i'`,
      `zpty -w z 'eval "$(<${script})"; show() { print -r -- "<<$BUFFER>>"; BUFFER=""; }; zle -N show; bindkey "^X" show; print RE""ADY'`,
      "zpty -r -m z out '*READY*'",
      `for line in ${lines.map((l) => `'${l}'`).join(' ')}; do`,
      `  zpty -w -n z "$line"$'\\t\\x18'`,
      "  zpty -r -m z out '*<<*>>*'",
      '  print -r -- "${${out##*<<}%%>>*}"',
      'done',
      'zpty -d z',
    ].join('\n');
    const result = await execa('zsh', ['-f', '-c', driver], { timeout: 60_000 });
    expect(result.stdout.split('\n')).toEqual([
      'ops deploy approve ',
      'ops backup',
      'ops deploy approve crm --reject ',
      'ops --config x.yaml schedules ',
      'ops schedules list --config ',
      'ops backups list ',
    ]);
  });

  /** Runs ops on a pseudo-terminal (util-linux script), as in an interactive shell. */
  const onTerminal = async (args: string[], env: Record<string, string> = {}) =>
    (await execa('script', ['-qec', ['node', OPS_BIN, ...args].join(' '), '/dev/null'], { reject: false, stdin: 'ignore', env: { ...env, NO_COLOR: env.NO_COLOR ?? '' } })).stdout;

  it('colours on a terminal, never in a pipe, and not with NO_COLOR', async () => {
    expect(await onTerminal(['--help'])).toContain(`${ESCAPE}1mUsage:`);
    expect(await onTerminal(['--config', config, 'status'])).toContain(`backup health: ${ESCAPE}31mFAIL${ESCAPE}39m`);

    for (const args of [['--help'], ['--config', config, 'status']]) {
      expect(await onTerminal(args, { NO_COLOR: '1' })).not.toContain(ESCAPE);
      const piped = await runCli(args);
      expect(piped.stdout).not.toContain(ESCAPE);
      expect(piped.stdout).toMatch(/Usage:|backup health: FAIL/);
    }
  });
});
