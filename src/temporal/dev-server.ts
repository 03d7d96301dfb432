import { mkdirSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { execa, type ResultPromise } from 'execa';
import { dieWithParent } from '../commands/parent-death-signal.js';
import { freePort } from '../local-servers/free-port.js';
import { searchAttributeCliPairs } from './names.js';
import { findTemporalBinary } from './temporal-binary.js';

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** Persist state here (the main command does; tests run in memory). */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  ip?: string;
  log?: (line: string) => void;
}

/** Starts `temporal server start-dev` with ops' search attributes registered, and waits until it answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const uiPort = options.headless ? undefined : (options.uiPort ?? (await freePort()));
  if (options.dbFile) mkdirSync(options.dbFile.replace(/\/[^/]+$/, ''), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', ip,
    '--port', String(port),
    '--log-level', 'warn',
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']),
    ...searchAttributeCliPairs().flatMap((pair) => ['--search-attribute', pair]),
  ];
  // Dies with this process, even by kill -9: a dev server left running would keep its port and its
  // database file. In a process group of its own, as dieWithParent's watchdog needs (it kills its
  // group once the server has ended); this process stops it, on Ctrl-C too.
  const command = dieWithParent({ file: findTemporalBinary(), args });
  const child: ResultPromise = execa(command.file, command.args, { reject: false, stdin: 'ignore', buffer: false, detached: true });
  child.stderr?.on('data', (chunk: Buffer) => options.log?.(chunk.toString().trimEnd()));
  const address = `${ip}:${port}`;
  await waitUntilServing(address, child);
  return {
    address,
    ...(uiPort ? { uiUrl: `http://${ip}:${uiPort}` } : {}),
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
}

async function waitUntilServing(address: string, child: ResultPromise, timeoutMs = 60_000): Promise<void> {
  let exited = false;
  void child.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`temporal dev server exited before serving on ${address}: ${(await child).stderr ?? ''}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`temporal dev server did not answer on ${address} within ${timeoutMs / 1000}s`);
}
