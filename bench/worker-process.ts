import { createInterface } from 'node:readline';
import { execa } from 'execa';

export interface WorkerProcess {
  pid: number;
  /** Resolves when the worker logs that it polls; rejects if it exits first. */
  ready: Promise<void>;
  /** The last lines it printed, for error messages. */
  outputTail(): string;
  stop(): Promise<void>;
}

export interface WorkerProcessOptions {
  projectRoot: string;
  configFile: string;
  env: Record<string, string>;
  readyTimeoutMs?: number;
}

const READY_LINE = 'worker polling task queue';
const STOP_GRACE_MS = 15_000;

/**
 * `node bin/ops.js --config FILE worker --no-metrics`, as an operator runs it. It gets a process
 * group of its own, so stopping it also reaches a pg_dump or pg_restore it left running.
 */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const child = execa(process.execPath, ['bin/ops.js', '--config', options.configFile, 'worker', '--no-metrics'], {
    cwd: options.projectRoot,
    env: options.env,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: true,
  });
  if (child.pid === undefined) throw new Error('could not spawn the worker process');
  const pid = child.pid;
  const tail: string[] = [];
  let exited = false;
  const done = child.then((result) => {
    exited = true;
    return result;
  });

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not report polling within ${(options.readyTimeoutMs ?? 120_000) / 1000}s:\n${tail.join('\n')}`)), options.readyTimeoutMs ?? 120_000);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (line.includes(READY_LINE)) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void done.then((result) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (code ${result.exitCode ?? result.signal}) before polling:\n${tail.join('\n')}`));
    });
  });
  let isReady = false;
  ready.then(() => (isReady = true)).catch(() => undefined);

  return {
    pid,
    ready,
    outputTail: () => tail.join('\n'),
    async stop() {
      if (exited) return;
      // SIGTERM lets a polling worker drain and close its connection, as in production. Before it
      // polls, the Temporal runtime's own signal handling swallows SIGTERM, so kill outright.
      process.kill(isReady ? pid : -pid, isReady ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => {
        if (!exited) process.kill(-pid, 'SIGKILL');
      }, STOP_GRACE_MS);
      await done;
      clearTimeout(timer);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // The group is already empty.
      }
    },
  };
}
