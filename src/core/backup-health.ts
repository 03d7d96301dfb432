import { consecutiveVerifyFailures, instant, targetRuns, type BackupRunRecord } from './backup-history.js';
import type { BackupEntry } from './backup-record.js';
import { formatBytes } from './format.js';

/**
 * Whether the backups can be trusted right now, per target and overall, decided from the
 * repository's records, its run history and the drill log. `now` is an input, so the watchdog, the
 * CLI and the metrics endpoint give the same answer for the same records.
 *
 * What is on disk now (RPO, verify age, storage) comes from the backups; what happened over time
 * (verify failures in a row, success rates) from the run history, because retention prunes failed
 * backups but never the history (see backup-history).
 *
 * A backup is valid unless its verify failed: a verify that has not run yet is not evidence of a
 * bad dump (as in retention). Figures are reported exactly; in reasons they are rounded towards
 * the breach (ages and usage up, rates down), so a breached limit never reads as met.
 */
export interface HealthLimits {
  /** FAIL when the newest valid dump is older than this */
  rpoHours: number;
  /** WARN when the newest passed verify is older than this */
  verifyMaxAgeHours: number;
  /** WARN when the 7-day backup success rate is below this (0..1) */
  successRateGoal: number;
  /** FAIL at this many verify failures in a row; fewer (but at least one) is a WARN */
  consecutiveVerifyFailuresFail: number;
  /** per target: FAIL above it, WARN above 90% of it */
  storageCapBytes?: number;
}

export const DEFAULT_HEALTH_LIMITS: HealthLimits = { rpoHours: 24, verifyMaxAgeHours: 48, successRateGoal: 0.99, consecutiveVerifyFailuresFail: 2 };

/** One restore drill, as the drill workflow records it. */
export interface DrillRecord {
  id: string;
  target: string;
  /** absent when no backup qualified for the drill (none in the window): that drill failed before it could fetch one */
  backupId?: string;
  status: 'passed' | 'failed';
  startedAt: string;
  finishedAt: string;
  restoreSeconds?: number;
  reasons: string[];
  /** this drill's restore time against earlier drills of the target */
  rto?: { medianPrevious: number | null; ratio: number | null; slower: boolean };
}

export type HealthStatus = 'OK' | 'WARN' | 'FAIL';
export type HealthCheck = 'rpo' | 'verify-failures' | 'verify-age' | 'success-rate' | 'storage';

export interface HealthFinding {
  check: HealthCheck;
  status: Exclude<HealthStatus, 'OK'>;
  /** without the target name, e.g. "no valid dump for 26h (limit 24h)" */
  message: string;
}

export interface TargetHealth {
  target: string;
  status: HealthStatus;
  /** in check order: rpo, verify-failures, verify-age, success-rate, storage */
  findings: HealthFinding[];
  backups: number;
  validDumpAgeHours: number | null;
  passedVerifyAgeHours: number | null;
  /** backup runs of the last 7 days that dumped and passed verify / those that failed either or passed; null with none */
  backupSuccessRate7d: number | null;
  /** passed / (passed + failed) of the verifies that finished in the last 7 days, re-verifies included; null with none */
  verifySuccessRate7d: number | null;
  lastRestoreSeconds: number | null;
  /** the latest verdicts of the newest backups that failed verify, up to the first that passed, pruned backups included */
  consecutiveVerifyFailures: number;
  storageBytes: number;
}

export interface HealthReport {
  status: HealthStatus;
  /** every finding of every target, as "<target>: <message>" */
  reasons: string[];
  targets: TargetHealth[];
  /** all entries, including targets no longer configured: they still take up space */
  storageBytes: number;
}

export interface HealthInput {
  targets: string[];
  entries: BackupEntry[];
  drills: DrillRecord[];
  /** every target's run history, failed dumps included */
  history: BackupRunRecord[];
  now: Date;
  limits: HealthLimits;
}

const HOUR_MS = 3_600_000;
const RATE_WINDOW_MS = 7 * 24 * HOUR_MS;
const RANK: Record<HealthStatus, number> = { OK: 0, WARN: 1, FAIL: 2 };

export function evaluateHealth(input: HealthInput): HealthReport {
  const targets = input.targets.map((target) => targetHealth(target, input));
  return {
    status: targets.reduce<HealthStatus>((worst, t) => (RANK[t.status] > RANK[worst] ? t.status : worst), 'OK'),
    reasons: targets.flatMap((t) => t.findings.map((f) => `${t.target}: ${f.message}`)),
    targets,
    storageBytes: input.entries.reduce((sum, e) => sum + e.manifest.bytes, 0),
  };
}

function targetHealth(target: string, { entries, drills, history, now, limits }: HealthInput): TargetHealth {
  // A record stamped slightly in the future (clock skew between workers) is age 0, not negative.
  const age = (at: number) => Math.max(0, now.getTime() - at);
  const since = now.getTime() - RATE_WINDOW_MS;
  const backups = entries
    .filter((e) => e.target === target)
    .map((e) => ({ e, at: instant(e.manifest.finishedAt, `backup ${e.id}: finishedAt`) }))
    .sort((a, b) => b.at - a.at || (a.e.id < b.e.id ? 1 : a.e.id > b.e.id ? -1 : 0));
  const valid = backups.find((b) => b.e.verify?.status !== 'failed');
  // The passed verifies of backups on disk; `at` is when the verify reached its verdict (startedAt if it recorded no finishedAt).
  const passed = backups.flatMap(({ e }) =>
    e.verify?.status === 'passed' ? [{ at: instant(e.verify.finishedAt ?? e.verify.startedAt, `backup ${e.id}: verify finishedAt`), restoreSeconds: e.verify.restoreSeconds }] : [],
  );
  const runs = targetRuns(target, history, entries);
  // A re-verify overwrites verify.json: a pass that a later re-verify failed is only in the history.
  // It still counts for the verify's age while its backup is on disk; the failure is its own finding.
  const onDisk = new Set(backups.map((b) => b.e.id));
  const passedAt = [...passed.map((v) => v.at), ...runs.verdicts.filter((v) => v.passed && onDisk.has(v.backupId)).map((v) => v.at)];
  const newestPassedAt = passedAt.length > 0 ? Math.max(...passedAt) : null;
  const consecutive = consecutiveVerifyFailures(runs.verdicts);
  const recent = runs.attempts.filter((a) => a.at >= since);
  const ok = recent.filter((a) => a.ok).length;
  const bad = recent.length - ok;
  const verified = runs.verdicts.filter((v) => v.at >= since);
  const verifyOk = verified.filter((v) => v.passed).length;

  const restores = [
    ...passed.flatMap((v) => (v.restoreSeconds === undefined ? [] : [{ at: v.at, seconds: v.restoreSeconds, drill: false }])),
    ...drills
      .filter((d) => d.target === target && d.status === 'passed')
      .flatMap((d) => (d.restoreSeconds === undefined ? [] : [{ at: instant(d.finishedAt, `drill ${d.id}: finishedAt`), seconds: d.restoreSeconds, drill: true }])),
  ];
  // On a tie the drill wins: it restored from the offsite copy, the path a real recovery takes.
  const lastRestore = restores.reduce<(typeof restores)[number] | null>((n, r) => (n === null || r.at > n.at || (r.at === n.at && r.drill) ? r : n), null);
  const storageBytes = backups.reduce((sum, b) => sum + b.e.manifest.bytes, 0);

  const findings: HealthFinding[] = [];
  const add = (check: HealthCheck, status: HealthFinding['status'], message: string) => findings.push({ check, status, message });
  if (backups.length === 0) add('rpo', 'FAIL', 'no backup yet');
  else if (!valid) add('rpo', 'FAIL', `no valid dump: all ${count(backups.length, 'backup')} failed verify`);
  else if (age(valid.at) > limits.rpoHours * HOUR_MS) add('rpo', 'FAIL', `no valid dump for ${hoursUp(age(valid.at))} (limit ${limits.rpoHours}h)`);
  if (consecutive > 0) {
    const status = consecutive >= limits.consecutiveVerifyFailuresFail ? 'FAIL' : 'WARN';
    add('verify-failures', status, `verify failed ${count(consecutive, 'time')} in a row (fail at ${limits.consecutiveVerifyFailuresFail})`);
  }
  if (backups.length > 0 && newestPassedAt === null) add('verify-age', 'WARN', 'no passed verify yet');
  else if (newestPassedAt !== null && age(newestPassedAt) > limits.verifyMaxAgeHours * HOUR_MS) {
    add('verify-age', 'WARN', `no passed verify for ${hoursUp(age(newestPassedAt))} (limit ${limits.verifyMaxAgeHours}h)`);
  }
  if (ok + bad > 0 && ok / (ok + bad) < limits.successRateGoal) {
    add('success-rate', 'WARN', `backup success rate ${Math.floor((ok * 1000) / (ok + bad)) / 10}% (${ok} of ${ok + bad}) over 7d (goal ${Math.round(limits.successRateGoal * 1000) / 10}%)`);
  }
  const cap = limits.storageCapBytes;
  if (cap !== undefined && storageBytes > cap) add('storage', 'FAIL', `storage ${formatBytes(storageBytes)} over cap ${formatBytes(cap)}`);
  else if (cap !== undefined && storageBytes * 10 > cap * 9) {
    add('storage', 'WARN', `storage ${formatBytes(storageBytes)} is ${Math.ceil((storageBytes * 1000) / cap) / 10}% of cap ${formatBytes(cap)}`);
  }

  return {
    target,
    status: findings.reduce<HealthStatus>((worst, f) => (RANK[f.status] > RANK[worst] ? f.status : worst), 'OK'),
    findings,
    backups: backups.length,
    validDumpAgeHours: valid ? age(valid.at) / HOUR_MS : null,
    passedVerifyAgeHours: newestPassedAt === null ? null : age(newestPassedAt) / HOUR_MS,
    backupSuccessRate7d: ok + bad > 0 ? ok / (ok + bad) : null,
    verifySuccessRate7d: verified.length > 0 ? verifyOk / verified.length : null,
    lastRestoreSeconds: lastRestore?.seconds ?? null,
    consecutiveVerifyFailures: consecutive,
    storageBytes,
  };
}

/** Hours to a tenth, rounded up: 26h, 24.1h. Computed on whole tenths of an hour so 26h is exactly "26h". */
function hoursUp(ms: number): string {
  return `${Math.ceil(ms / 360_000) / 10}h`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
