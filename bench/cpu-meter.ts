import { readdirSync, readFileSync } from 'node:fs';
import { execaSync } from 'execa';

const TICKS_PER_SECOND = Number(execaSync('getconf', ['CLK_TCK']).stdout);

/** utime, stime, cutime, cstime of one process in clock ticks; zeros once it is gone. */
function times(pid: number): { own: number; reaped: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is index 0, so utime..cstime are 11..14. comm may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: fields[11]! + fields[12]!, reaped: fields[13]! + fields[14]! };
  } catch {
    return { own: 0, reaped: 0 };
  }
}

function liveDescendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${next}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
        found.push(...children);
        queue.push(...children);
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return found;
}

/**
 * CPU seconds used so far by a process and everything below it: its own time, the time of
 * children it has reaped (cutime/cstime), and the same for each live descendant. Unlike wall
 * time, this barely moves when other work on the host competes for the cores.
 */
export function treeCpuSeconds(pid: number): number {
  const root = times(pid);
  const below = liveDescendants(pid).reduce((sum, child) => {
    const t = times(child);
    return sum + t.own + t.reaped;
  }, 0);
  return (root.own + root.reaped + below) / TICKS_PER_SECOND;
}

/** CPU seconds of the process itself, without any children. */
export function ownCpuSeconds(pid: number): number {
  return times(pid).own / TICKS_PER_SECOND;
}

/** CPU seconds of the children a process has already reaped: for the bare pipeline's tools. */
export function reapedChildrenCpuSeconds(pid: number): number {
  return times(pid).reaped / TICKS_PER_SECOND;
}

/** The postmaster's pid, the first line of postmaster.pid. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}
