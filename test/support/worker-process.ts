import { once } from 'node:events';
import { execa } from 'execa';
import type { WorkerRole } from '../../src/temporal/names.js';
import { testServers } from './servers.js';
import { waitFor } from './wait-for.js';

const OPS = new URL('../../bin/ops.js', import.meta.url).pathname;

export interface WorkerProcess {
  pid: number;
  /** Everything the worker printed, for failure messages. */
  output(): string;
  /** SIGKILL to the worker and every process still in its process group: the clean-up after a test (the tools it runs lead groups of their own, and die with it). */
  kill(): Promise<void>;
  /** SIGKILL to the worker process alone, as `kill -9 PID` or the OOM killer does: what its children do then is theirs. */
  killAlone(): Promise<void>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `ops worker` as its own OS process, the way production runs it, on a task queue of the test's
 * choosing. It leads its own process group, so kill() takes its children down with it. Resolves
 * once the worker says it is polling.
 */
export async function startWorkerProcess(options: { configFile: string; env: Record<string, string>; taskQueue: string; temporalAddress?: string; role?: WorkerRole }): Promise<WorkerProcess> {
  // From / as a service manager starts it, not from the checkout: nothing may depend on the working directory.
  const child = execa('node', [OPS, '--config', options.configFile, 'worker', '--no-metrics', ...(options.role ? ['--role', options.role] : [])], {
    cwd: '/',
    env: { ...options.env, TEMPORAL_ADDRESS: options.temporalAddress ?? testServers().temporalAddress, OPS_TASK_QUEUE: options.taskQueue },
    detached: true,
    cleanup: false,
    reject: false,
    all: true,
    buffer: false,
  });
  let output = '';
  child.all!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const worker: WorkerProcess = {
    pid: child.pid!,
    exited: exited.then(([code, signal]) => ({ code, signal })),
    output: () => output,
    async kill() {
      // Also after killAlone: the group outlives its leader while any of its processes does.
      signal(-child.pid!);
      await exited;
    },
    async killAlone() {
      signal(child.pid!);
      await exited;
    },
  };
  try {
    await waitFor('the worker process to poll', () => {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
      return output.includes(`polling task queue "${options.taskQueue}"`);
    }, 60_000);
  } catch (err) {
    await worker.kill();
    throw err;
  }
  return worker;
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
