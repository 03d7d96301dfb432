import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * How long `ops` takes to start, beside `node -e 0` on the same machine: `ops --help` and
 * `ops backups list` (a config pointing at an empty repository), each run after a warm-up, runs
 * interleaved so that load changes hit all three alike. Prints best and median of each and, last,
 * cli_start_ratio=<the slower verb's median / node's median>.
 * Usage: tsx bench/cli-start-bench.ts [--runs N]
 */
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs: expected a positive integer, got "${values.runs}"`);
  process.exit(2);
}

const OPS = resolve(import.meta.dirname, '../bin/ops.js');
const dir = mkdtempSync(join(tmpdir(), 'ops-cli-bench-'));
try {
  const config = join(dir, 'ops.config.yaml');
  writeFileSync(config, `repository: ${join(dir, 'repository')}\n`);
  const commands: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'ops --help': [OPS, '--help'],
    'ops backups list': [OPS, '--config', config, 'backups', 'list'],
  };
  const seconds: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  // The warm-up also makes the build, if the sources changed since the last one.
  for (const args of Object.values(commands)) run(args);
  console.error(`[bench] load average at start ${loadavg()[0]!.toFixed(2)}`);
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(commands)) seconds[name]!.push(run(args));
  }
  for (const [name, times] of Object.entries(seconds)) {
    console.log(`${name.padEnd(18)} best ${best(times).toFixed(3)} s  median ${median(times).toFixed(3)} s`);
  }
  console.error(`[bench] load average at end ${loadavg()[0]!.toFixed(2)}`);
  const ratio = Math.max(median(seconds['ops --help']!), median(seconds['ops backups list']!)) / median(seconds['node -e 0']!);
  console.log(`cli_start_ratio=${ratio.toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function run(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function best(times: number[]): number {
  return Math.min(...times);
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
