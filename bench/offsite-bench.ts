import { reportBenchFailure } from './bench-failure.js';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { stringify } from 'yaml';
import type { BackupEntry } from '../src/core/backup-record.js';
import { partPlan } from '../src/core/s3-part-plan.js';
import { encryptionFor, makeAgeKey } from '../test/support/age-keys.js';
import { startS3Server, type S3Server } from '../test/support/s3-server.js';
import { positiveInteger } from './bench-args.js';
import { makeDumpBackup } from './offsite-artifact.js';
import { RssSampler } from './rss-sampler.js';
import { Teardown } from './teardown.js';

/**
 * Offsite copy speed of ops against `rclone copy`, on one artifact and one real S3-compatible
 * server (versitygw on a free port over a temp dir): a real pg_dump of a generated database is
 * copied (a) by Debian's rclone, its part size and concurrency matched to ops' (rcloneFlags), (b) by ops' S3 store, as the copyOffsite
 * activity runs it, encryption off; then (c) ops storing the artifact as a dump's stream is stored and
 * copying it, encryption off and on (encryption_overhead_ratio). Each leg is a function taking the round; a warm-up round
 * first, then `--rounds` rounds in turn, so a change of load hits every leg alike; medians.
 * Usage: BENCH_ARTIFACT_MB=512 tsx bench/offsite-bench.ts [--size-mb N] [--rounds N]
 */
const { values } = parseArgs({ options: { 'size-mb': { type: 'string' }, rounds: { type: 'string', default: '2' } } });
const sizeMb = positiveInteger('--size-mb / BENCH_ARTIFACT_MB', values['size-mb'] ?? process.env.BENCH_ARTIFACT_MB ?? '512');
const rounds = positiveInteger('--rounds', values.rounds!);

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const TARGET = 'bench';
const BUCKET = 'ops-bench';
const RCLONE_REMOTE = 'BENCHS3';
const STORE_LEG = 'bench/offsite-store-leg.ts';
const log = (line: string) => console.error(`[bench] ${line}`);
const teardown = new Teardown();
teardown.runOnExitPaths(log);
const loadAtStart = loadavg()[0]!;

interface LegRun {
  seconds: number;
  /** the copying process's peak RSS, where the leg measures it */
  peakRssBytes?: number;
  /** the leg's process from spawn to exit, where `seconds` times only the copy inside it */
  processSeconds?: number;
  /** the store step's share of `seconds`, in the legs that store before they copy */
  storedSeconds?: number;
  confirmedBy?: string;
}

/**
 * The config a worker would run with: the destination's keys as ${ENV} secrets, never in the file.
 * `backupExtras` go into `backup:` beside the destination (the encrypted leg's recipients).
 */
async function writeOpsConfig(dir: string, s3: S3Server, prefix: string, backupExtras: Record<string, unknown>): Promise<string> {
  const doc = {
    stateDir: './state',
    repository: './repo',
    reports: './reports',
    databases: [{ name: TARGET, url: 'postgres://bench@127.0.0.1:5432/bench' }],
    backup: { ...backupExtras, verify: { postgres: { url: 'postgres://bench@127.0.0.1:5432/postgres' } }, offsite: [{ url: `s3://${BUCKET}/${prefix}`, endpoint: s3.endpoint, forcePathStyle: true, accessKeyId: '${BENCH_S3_KEY_ID}', secretAccessKey: '${BENCH_S3_SECRET}' }] },
  };
  const file = join(dir, 'ops.config.yaml');
  await writeFile(file, stringify(doc));
  return file;
}

/** Empties the bucket between legs, so each copies in full and the server's disk holds one copy at a time. */
async function emptyBucket(s3: S3Server): Promise<void> {
  for (;;) {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) return;
    await s3.client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys } }));
  }
}

/**
 * rclone's flags, tuned as a user would tune it for this server and matched to ops' upload: the
 * same part size, parts in flight and single-PUT cutoff as partPlan gives ops. Its checksums stay
 * on (the whole file's MD5 first, then each part's Content-MD5), as ops' per-part SHA-256 does.
 * - `--expect-continue-timeout 0`: rclone 1.60's AWS SDK sends every part with `Expect: 100-Continue`,
 *   capital C; versitygw (fasthttp) answers 100 Continue only to the lowercase token, so Go's client
 *   waits its 1 s timeout before each part's body: 124 parts, 4 at a time, about 31 s of waiting.
 * - `--s3-no-check-bucket`: ops never creates buckets, so rclone does not try to either.
 */
function rcloneFlags(bytes: number): string[] {
  const { partSize, queueSize } = partPlan(bytes);
  const size = `${partSize / 2 ** 20}Mi`;
  return ['--expect-continue-timeout', '0', '--s3-chunk-size', size, '--s3-upload-cutoff', size, '--s3-upload-concurrency', String(queueSize), '--s3-no-check-bucket'];
}

/** (a) `rclone copy FILE remote:bucket/prefix/`, configured by RCLONE_CONFIG_* variables: the keys are in its env, not its argv. */
async function rcloneLeg(s3: S3Server, entry: BackupEntry, round: string): Promise<LegRun> {
  const prefix = `RCLONE_CONFIG_${RCLONE_REMOTE}_`;
  const env = {
    [`${prefix}TYPE`]: 's3',
    [`${prefix}PROVIDER`]: 'Other',
    [`${prefix}ENDPOINT`]: s3.endpoint,
    [`${prefix}REGION`]: 'us-east-1',
    [`${prefix}FORCE_PATH_STYLE`]: 'true',
    [`${prefix}ACCESS_KEY_ID`]: s3.accessKeyId,
    [`${prefix}SECRET_ACCESS_KEY`]: s3.secretAccessKey,
  };
  // rclone 1.60's AWS SDK refuses to start with AWS_CA_BUNDLE set when its HTTP transport is its own; the endpoint is plain http.
  const { AWS_CA_BUNDLE: _unused, ...inherited } = process.env;
  const started = performance.now();
  await execa('rclone', ['copy', ...rcloneFlags(entry.manifest.bytes), join(entry.dir, entry.manifest.artifact), `${RCLONE_REMOTE}:${BUCKET}/rclone-${round}/${TARGET}/${entry.stamp}/`], { env: { ...inherited, ...env }, extendEnv: false, stdin: 'ignore' });
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * (b) ops' own copy path in a process of its own (bench/offsite-copy-leg.ts), its RSS sampled while
 * it copies. `name` keeps each leg's objects apart; `backupExtras` as for writeOpsConfig.
 */
async function opsLeg(dir: string, s3: S3Server, entry: BackupEntry, round: string, name = 'ops', backupExtras: Record<string, unknown> = {}, script = 'bench/offsite-copy-leg.ts'): Promise<LegRun> {
  const destinationPrefix = `${name}-${round}`;
  const configFile = await writeOpsConfig(dir, s3, destinationPrefix, backupExtras);
  const env = { OPS_CONFIG: configFile, BACKUP_ID: entry.id, DESTINATION: `s3://${BUCKET}/${destinationPrefix}`, BENCH_S3_KEY_ID: s3.accessKeyId, BENCH_S3_SECRET: s3.secretAccessKey };
  const spawned = performance.now();
  const child = execa(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, script)], { cwd: PROJECT_ROOT, env, stdin: 'ignore' });
  const sampler = new RssSampler(child.pid!);
  const window = sampler.open();
  try {
    const { stdout } = await child;
    const reported = JSON.parse(stdout.trim().split('\n').at(-1)!) as { seconds: number; storedSeconds?: number; peakRssBytes: number; confirmedBy: string };
    const sampled = window.close();
    const processSeconds = (performance.now() - spawned) / 1000;
    return { seconds: reported.seconds, ...(reported.storedSeconds ? { storedSeconds: reported.storedSeconds } : {}), peakRssBytes: Math.max(reported.peakRssBytes, sampled.processBytes), confirmedBy: reported.confirmedBy, processSeconds };
  } finally {
    sampler.stop();
  }
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const mib = (bytes: number) => bytes / 2 ** 20;

try {
  const root = await mkdtemp(join(tmpdir(), 'ops-offsite-bench-'));
  teardown.defer('remove temp dir', () => rm(root, { recursive: true, force: true }));
  // PostgreSQL runs as the postgres OS user, which must reach its data dir below root.
  await chmod(root, 0o755);

  log(`making a ${sizeMb} MB dump under ${root}`);
  const entry = await makeDumpBackup(root, TARGET, sizeMb * 2 ** 20, teardown, log);
  log(`dump ${mib(entry.manifest.bytes).toFixed(1)} MiB; starting versitygw`);
  const s3 = await startS3Server(root);
  teardown.defer('stop versitygw', () => s3.stop());
  await s3.createBucket(BUCKET);
  const key = await makeAgeKey(root, 'bench');

  const legs: Array<{ name: string; run: (round: string) => Promise<LegRun> }> = [
    { name: 'rclone', run: (round) => rcloneLeg(s3, entry, round) },
    { name: 'ops', run: (round) => opsLeg(root, s3, entry, round) },
    // Encryption rides the dump's stream to disk, so its cost is measured over store + copy, with and without.
    { name: 'ops-store', run: (round) => opsLeg(root, s3, entry, round, 'ops-store', {}, STORE_LEG) },
    { name: 'ops-store-age', run: (round) => opsLeg(root, s3, entry, round, 'ops-store-age', { encryption: encryptionFor([key]) }, STORE_LEG) },
  ];
  const runs = new Map<string, LegRun[]>(legs.map((leg) => [leg.name, []]));
  for (let round = 0; round <= rounds; round++) {
    const label = round === 0 ? 'warm-up' : `round ${round}/${rounds}`;
    const line: string[] = [];
    for (const leg of legs) {
      const run = await leg.run(round === 0 ? 'warmup' : String(round));
      await emptyBucket(s3);
      if (round > 0) runs.get(leg.name)!.push(run);
      const extras = [run.storedSeconds ? `stored in ${run.storedSeconds.toFixed(2)} s` : '', run.processSeconds ? `process ${run.processSeconds.toFixed(2)} s with start-up` : '', run.peakRssBytes ? `peak RSS ${mib(run.peakRssBytes).toFixed(0)} MiB` : ''].filter(Boolean);
      line.push(`${leg.name} ${run.seconds.toFixed(2)} s${extras.length ? ` (${extras.join(', ')})` : ''}`);
    }
    log(`${label}${round === 0 ? ' (not counted)' : ''}: ${line.join(', ')}`);
  }

  await teardown.run(log);
  const seconds = (name: string) => median(runs.get(name)!.map((r) => r.seconds));
  const rate = (name: string) => mib(entry.manifest.bytes) / seconds(name);
  const storedMedian = (name: string) => median(runs.get(name)!.map((r) => r.storedSeconds ?? 0));
  const opsRuns = runs.get('ops')!;
  console.log(
    [
      `artifact: pg_dump -Fc of a generated database, ${mib(entry.manifest.bytes).toFixed(1)} MiB; versitygw on 127.0.0.1; ${availableParallelism()} CPUs, load ${loadAtStart.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
      `rounds ${rounds} after a warm-up; seconds per round: ${legs.map((leg) => `${leg.name} ${runs.get(leg.name)!.map((r) => r.seconds.toFixed(2)).join(' ')}`).join('; ')}`,
      `rclone_seconds=${seconds('rclone').toFixed(2)}   (${rate('rclone').toFixed(1)} MiB/s, rclone copy ${rcloneFlags(entry.manifest.bytes).join(' ')}, median)`,
      `ops_seconds=${seconds('ops').toFixed(2)}   (${rate('ops').toFixed(1)} MiB/s, S3 store copy and confirmation (${opsRuns[0]!.confirmedBy}), encryption off, median; the process with node start-up and config load: ${median(opsRuns.map((r) => r.processSeconds!)).toFixed(2)} s)`,
      `ops_peak_rss_mib=${mib(Math.max(...opsRuns.map((r) => r.peakRssBytes ?? 0))).toFixed(0)}   (the copying process, VmHWM, highest of the rounds)`,
      `offsite_overhead_ratio=${(seconds('ops') / seconds('rclone')).toFixed(3)}`,
      `ops_store_copy_seconds=${seconds('ops-store').toFixed(2)}   (the artifact streamed into the repository as a dump is, then copied: encryption off, median)`,
      `ops_store_copy_age_seconds=${seconds('ops-store-age').toFixed(2)}   (the same through age -e, ${(mib(entry.manifest.bytes) / seconds('ops-store-age')).toFixed(1)} MiB/s of plaintext, median)`,
      `store_seconds=${storedMedian('ops-store').toFixed(2)} plain, ${storedMedian('ops-store-age').toFixed(2)} through age -e   (the store step alone, medians)`,
      `encryption_overhead_ratio=${(seconds('ops-store-age') / seconds('ops-store')).toFixed(3)}`,
    ].join('\n'),
  );
} catch (err) {
  reportBenchFailure(err);
} finally {
  await teardown.run(log);
}
