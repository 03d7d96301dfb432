import { formatJsonLine, parseJsonLines } from './json-lines.js';
import type { DeployReport, StageOutcome } from './deploy-report.js';

/**
 * One finished deploy, as one JSON line of <stateDir>/deploys.jsonl. The Markdown report is for
 * people; this record is what the metrics endpoint counts and times, so it carries only that.
 */
export interface DeployRecord {
  app: string;
  outcome: StageOutcome;
  startedAt: string;
  finishedAt: string;
  stages: Array<{ stage: string; outcome: StageOutcome; steps: Array<{ step: string; seconds: number }> }>;
}

/** What a whole deploy can end as; each gets a series from the start, so the first failure is an increase and not a new series. */
export const DEPLOY_OUTCOMES = ['succeeded', 'failed', 'rolled-back', 'rollback-failed', 'rejected', 'cancelled'] as const satisfies readonly StageOutcome[];

/** Steps that never started or never finished (skipped, cut short) have no duration and are left out. */
export function deployRecordFromReport(report: DeployReport): DeployRecord {
  return {
    app: report.app,
    outcome: report.outcome,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    stages: report.stages.map((stage) => ({
      stage: stage.stage,
      outcome: stage.outcome,
      steps: stage.steps.flatMap((s) => {
        const ms = Date.parse(s.finishedAt ?? '') - Date.parse(s.startedAt ?? '');
        return Number.isNaN(ms) ? [] : [{ step: s.step, seconds: Math.max(0, ms / 1000) }];
      }),
    })),
  };
}

export function formatDeployRecordLine(record: DeployRecord): string {
  return formatJsonLine(record);
}

/** Parses the log, skipping lines that are not records (a torn last line after a crash, a hand edit). */
export function parseDeployRecords(text: string): DeployRecord[] {
  return parseJsonLines(text, isDeployRecord);
}

export interface DeployMetrics {
  /** every app (configured or recorded) times every outcome (known or recorded), 0 included; sorted */
  deploys: Array<{ app: string; outcome: string; count: number }>;
  /** the newest deploy of each app */
  lastDurationSeconds: Array<{ app: string; seconds: number }>;
  /** the newest run of each step, which for a stage the newest deploy never reached is an older deploy's */
  lastStepSeconds: Array<{ app: string; stage: string; step: string; seconds: number }>;
}

export function deployMetrics(records: DeployRecord[], configuredApps: string[]): DeployMetrics {
  const counts = new Map<string, number>();
  const key = (...parts: string[]) => JSON.stringify(parts);
  const apps = [...new Set([...configuredApps, ...records.map((r) => r.app)])].sort(byText);
  const outcomes = [...new Set<string>([...DEPLOY_OUTCOMES, ...records.map((r) => r.outcome)])].sort(byText);
  for (const app of apps) for (const outcome of outcomes) counts.set(key(app, outcome), 0);
  for (const r of records) counts.set(key(r.app, r.outcome), counts.get(key(r.app, r.outcome))! + 1);

  // Oldest first, ties in file order, so each later record overwrites what it measured again.
  const byFinish = records
    .map((r, line) => ({ r, line, at: Date.parse(r.finishedAt) }))
    .filter(({ at }) => !Number.isNaN(at))
    .sort((a, b) => a.at - b.at || a.line - b.line);
  const duration = new Map<string, number>();
  const steps = new Map<string, { app: string; stage: string; step: string; seconds: number }>();
  for (const { r, at } of byFinish) {
    const started = Date.parse(r.startedAt);
    if (!Number.isNaN(started)) duration.set(r.app, Math.max(0, (at - started) / 1000));
    for (const stage of r.stages) {
      for (const s of stage.steps) steps.set(key(r.app, stage.stage, s.step), { app: r.app, stage: stage.stage, step: s.step, seconds: s.seconds });
    }
  }

  return {
    deploys: apps.flatMap((app) => outcomes.map((outcome) => ({ app, outcome, count: counts.get(key(app, outcome))! }))),
    lastDurationSeconds: [...duration.entries()].sort(([a], [b]) => byText(a, b)).map(([app, seconds]) => ({ app, seconds })),
    lastStepSeconds: [...steps.values()].sort((a, b) => byText(a.app, b.app) || byText(a.stage, b.stage) || byText(a.step, b.step)),
  };
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDeployRecord(value: unknown): value is DeployRecord {
  const v = value as Partial<DeployRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.app === 'string' &&
    typeof v.outcome === 'string' &&
    typeof v.startedAt === 'string' &&
    typeof v.finishedAt === 'string' &&
    Array.isArray(v.stages) &&
    v.stages.every(
      (stage) =>
        typeof stage?.stage === 'string' &&
        Array.isArray(stage.steps) &&
        stage.steps.every((s) => typeof s?.step === 'string' && typeof s.seconds === 'number' && Number.isFinite(s.seconds)),
    )
  );
}
