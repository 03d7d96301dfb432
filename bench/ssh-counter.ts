import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * Counts the ssh connections one side of the bench opens, rsync's included: an `ssh` first on its
 * PATH that logs its argv (one line, words separated by US) and execs the real client. Both sides
 * get one, so both pay its few milliseconds.
 */
export interface SshCounter {
  /** PATH and log file for a process whose ssh calls are counted in `log`. */
  env(log: string): Record<string, string>;
  /** Per connection logged in `log`: the remote command's first word, or for `sh -c` the start of its script. */
  read(log: string): Promise<string[]>;
}

function realSsh(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'ssh'), constants.X_OK);
      return join(dir, 'ssh');
    } catch {
      // Not in this PATH entry.
    }
  }
  throw new Error('no ssh on PATH');
}

/** `destinations`: how the host is named on ssh's command line (ops passes user@host; rsync passes -l user host). */
export async function createSshCounter(dir: string, destinations: string[]): Promise<SshCounter> {
  await mkdir(dir, { recursive: true });
  const wrapper = join(dir, 'ssh');
  await writeFile(wrapper, `#!/bin/sh\n(IFS="$(printf '\\037')"; printf '%s\\n' "$*") >> "$BENCH_SSH_LOG"\nexec ${realSsh()} "$@"\n`, { mode: 0o755 });
  return {
    env: (log) => ({ PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, BENCH_SSH_LOG: log }),
    async read(log) {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((line) => {
        const args = line.split('\x1f');
        const remote = args.slice(args.findIndex((arg) => destinations.includes(arg)) + 1).filter((arg) => arg !== '--').join(' ').split(/\s+/);
        return remote[0] === 'sh' ? `sh -c '${remote.slice(2, 5).join(' ').replace(/^'|'$/g, '')} …'` : (remote[0] ?? '?');
      });
    },
  };
}
