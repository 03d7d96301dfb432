import { readdirSync, readFileSync } from 'node:fs';

export interface RssPeak {
  /** The process itself (VmRSS), in bytes. */
  processBytes: number;
  /** All its descendants together (pg_dump, pg_restore, ...), in bytes. */
  childrenBytes: number;
  samples: number;
}

/** One /proc/<pid>/status field in bytes (the kernel reports kB), or 0 once the process is gone. */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of every thread: a child is listed under the thread that forked it. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const queue = childrenOf(pid);
  while (queue.length > 0) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...childrenOf(next));
  }
  return found;
}

/**
 * Samples a process's RSS, and its descendants' summed RSS, every `intervalMs`. Windows record
 * the peak between open and close, so one sampler serves worker start-up and each run.
 */
export class RssSampler {
  readonly #windows = new Set<RssPeak>();
  readonly #timer: NodeJS.Timeout;

  constructor(readonly pid: number, intervalMs = 100) {
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  open(): { close(): RssPeak } {
    const window: RssPeak = { processBytes: 0, childrenBytes: 0, samples: 0 };
    this.#windows.add(window);
    this.#sample();
    return {
      close: () => {
        this.#sample();
        this.#windows.delete(window);
        return window;
      },
    };
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sample(): void {
    if (this.#windows.size === 0) return;
    const own = procStatusBytes(this.pid, 'VmRSS');
    const children = descendantsOf(this.pid).reduce((sum, pid) => sum + procStatusBytes(pid, 'VmRSS'), 0);
    for (const window of this.#windows) {
      window.processBytes = Math.max(window.processBytes, own);
      window.childrenBytes = Math.max(window.childrenBytes, children);
      window.samples += 1;
    }
  }
}
