import { resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** `npm run bench:restore` end to end on a small database: it runs, prints its figures and cleans up. No timing is asserted. */
describe('bench/restore-bench.ts', () => {
  it('BENCH_DB_MB=20, one round: one backup, bare and ops restores of it, the figures and restore_overhead_ratio= last', async () => {
    const run = await execa(process.execPath, ['--import', 'tsx', 'bench/restore-bench.ts', '--rounds', '1'], { cwd: PROJECT_ROOT, env: { BENCH_DB_MB: '20' }, reject: false, timeout: 400_000 });

    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PostgreSQL \S+.*, database \d+ MB, dump [\d.]+ MB; /);
    expect(lines[2]).toMatch(/^ops seconds, medians of the rounds: CLI to run start \d+\.\d{3}; planRestore \d+\.\d{3}; restoreToFinalName \d+\.\d{3}; writeRestoreReport \d+\.\d{3}; .*; run end to CLI exit \d+\.\d{3}$/);
    expect(lines.slice(3).map((l) => l.split('=')[0])).toEqual(['bare_restore_seconds', 'bare_restore_jobs_seconds', 'ops_restore_seconds', 'ops_rto_seconds', 'restore_overhead_ratio_vs_single_job', 'restore_overhead_ratio']);
    for (const line of lines.slice(3)) expect(line).toMatch(/^[a-z_]+=\d+\.\d+\b/);
    expect(lines.at(-1)).toMatch(/^restore_overhead_ratio=\d+\.\d{3}   \(ops ÷ createdb \+ pg_restore --jobs=\d+\)$/);
    expect(run.stderr).toContain('[bench] cleanup: remove temp dir');
  }, 420_000);

  it('--engine mysql, BENCH_DB_MB=20, one round: the MariaDB import, bare and through ops, and restore_overhead_ratio= last', async () => {
    const run = await execa(process.execPath, ['--import', 'tsx', 'bench/restore-bench.ts', '--engine', 'mysql', '--rounds', '1'], { cwd: PROJECT_ROOT, env: { BENCH_DB_MB: '20' }, reject: false, timeout: 400_000 });

    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MariaDB \S+, database \d+ MB \(data and indexes\), dump [\d.]+ MB; /);
    expect(lines.slice(3).map((l) => l.split('=')[0])).toEqual(['bare_restore_seconds', 'ops_restore_seconds', 'ops_rto_seconds', 'restore_overhead_ratio']);
    for (const line of lines.slice(3)) expect(line).toMatch(/^[a-z_]+=\d+\.\d+\b/);
    expect(lines.at(-1)).toMatch(/^restore_overhead_ratio=\d+\.\d{3}   \(ops ÷ CREATE DATABASE \+ zstd -dc dump \| mariadb db\)$/);
    expect(run.stderr).toContain('[bench] cleanup: stop MariaDB');
  }, 420_000);

  it('an unknown --engine is refused before anything starts, exit 2', async () => {
    const run = await execa(process.execPath, ['--import', 'tsx', 'bench/restore-bench.ts', '--engine', 'oracle'], { cwd: PROJECT_ROOT, reject: false, timeout: 60_000 });
    expect([run.exitCode, run.stderr.trim()]).toEqual([2, '--engine: "oracle" is neither postgres nor mysql']);
  });
});
