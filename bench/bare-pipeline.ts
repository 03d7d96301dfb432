import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import pg from 'pg';
import type { Command } from '../src/commands/command.js';
import { pgDump, pgRestore } from '../src/commands/postgres.js';
import type { DatabaseAddress } from '../src/config/database-url.js';
import { Secret } from '../src/config/secret.js';
import type { BenchDatabase } from './bench-database.js';
import { reapedChildrenCpuSeconds } from './cpu-meter.js';

export interface BarePhases {
  dump: number;
  checksum: number;
  createDatabase: number;
  restore: number;
  /** the row counts of the restored tables (only when asked for tables to count) */
  counts: number;
  dropDatabase: number;
  total: number;
  dumpBytes: number;
  /** CPU seconds: the PostgreSQL cluster, and the tools (pg_dump, sha256sum, createdb, pg_restore, dropdb). */
  cpu: { server: number; tools: number };
}

/** createdb / dropdb as a shell script would call them; the password travels in env like the project's builders. */
export function pgAdminTool(tool: 'createdb' | 'dropdb', admin: DatabaseAddress, password: string, database: string): Command {
  return {
    file: tool,
    args: [`--host=${admin.host}`, `--port=${admin.port}`, `--username=${admin.user}`, '--no-password', database],
    env: { PGPASSWORD: password },
  };
}

async function run(command: Command): Promise<string> {
  const result = await execa(command.file, command.args, { env: command.env ?? {}, stdin: 'ignore' });
  return String(result.stdout);
}

/** `command > file`: the child writes to the file descriptor itself, nothing passes through node. */
async function runToFile(command: Command, file: string): Promise<void> {
  const handle = await open(file, 'w', 0o600);
  try {
    const child = spawn(command.file, command.args, { env: { ...process.env, ...command.env }, stdio: ['ignore', handle.fd, 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`${command.file} exited ${code ?? signal}: ${Buffer.concat(stderr).toString().trim()}`);
  } finally {
    await handle.close();
  }
}

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await step();
  return [value, (performance.now() - started) / 1000];
}

/**
 * What a user would script without ops: `pg_dump -Fc > file` as the reader, `sha256sum file`,
 * then createdb, pg_restore and dropdb as admin. The dump and restore argv come from the same
 * builders the activities use; the dump file is removed afterwards.
 */
export async function runBarePipeline(db: BenchDatabase, workDir: string, round: number, countTables: string[] = []): Promise<BarePhases> {
  const file = join(workDir, `bare-${round}.pgc`);
  const scratch = `bare_restore_${round}`;
  const adminPassword = db.server.adminPassword;
  const started = performance.now();
  const serverCpu = db.serverCpuSeconds();
  const toolsCpu = reapedChildrenCpuSeconds(process.pid);
  try {
    const [, dump] = await timed(() => runToFile(pgDump(db.reader, new Secret(db.readerPassword, 'bench')), file));
    const [sum, checksum] = await timed(() => run({ file: 'sha256sum', args: ['--', file] }));
    if (!/^[0-9a-f]{64}\s/.test(sum)) throw new Error(`unexpected sha256sum output: ${sum}`);
    const [, createDatabase] = await timed(() => run(pgAdminTool('createdb', db.admin, adminPassword, scratch)));
    const [, restore] = await timed(() => run(pgRestore(db.admin, new Secret(adminPassword, 'bench'), { database: scratch, file })));
    const [, counts] = await timed(() => countRows(db, adminPassword, scratch, countTables));
    const [, dropDatabase] = await timed(() => run(pgAdminTool('dropdb', db.admin, adminPassword, scratch)));
    const total = (performance.now() - started) / 1000;
    const cpu = { server: db.serverCpuSeconds() - serverCpu, tools: reapedChildrenCpuSeconds(process.pid) - toolsCpu };
    return { dump, checksum, createDatabase, restore, counts, dropDatabase, total, dumpBytes: (await stat(file)).size, cpu };
  } catch (err) {
    const leftover = pgAdminTool('dropdb', db.admin, adminPassword, scratch);
    await execa(leftover.file, ['--if-exists', ...leftover.args], { env: leftover.env ?? {}, reject: false });
    throw err;
  } finally {
    await rm(file, { force: true });
  }
}

/** SELECT count(*) of each table in the restored database, as a script checking the restore would. */
async function countRows(db: BenchDatabase, adminPassword: string, database: string, tables: string[]): Promise<void> {
  if (tables.length === 0) return;
  const client = new pg.Client({ host: db.admin.host, port: db.admin.port, user: db.admin.user, password: adminPassword, database });
  await client.connect();
  try {
    for (const table of tables) await client.query(`SELECT count(*) FROM ${table}`);
  } finally {
    await client.end();
  }
}
