import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

export interface LiveProcess {
  pid: number;
  ppid: number;
  cmdline: string;
}

/**
 * Live processes (zombies left out: they run nothing) that run `tool` with `marker` somewhere in
 * their command line, read from /proc. The marker (a test's database, port or file) keeps
 * processes of tests running beside this one out.
 */
export async function processesRunning(tool: string, marker: string): Promise<LiveProcess[]> {
  const found: LiveProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      if (!argv.some((word) => basename(word) === tool) || !argv.some((word) => word.includes(marker))) continue;
      // Fields after the parenthesised command name, which may itself hold spaces: state, ppid, ...
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') found.push({ pid: Number(entry), ppid: Number(ppid), cmdline: argv.join(' ') });
    } catch {
      // The process ended while we looked.
      continue;
    }
  }
  return found;
}
