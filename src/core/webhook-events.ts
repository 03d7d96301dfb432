import { createHmac } from 'node:crypto';
import type { DrillRecord } from './backup-health.js';
import type { DeployReport, StageOutcome } from './deploy-report.js';
import type { RestoreRecord } from './restore-report.js';

/**
 * What a webhook can subscribe to (`notify.webhooks[].events`), and the JSON each POST carries.
 * Names are dotted and fixed: a receiver switches on them, so renaming one is a breaking change.
 */
export const WEBHOOK_EVENTS = [
  'deploy.started',
  'deploy.succeeded',
  'deploy.failed',
  'deploy.rolled_back',
  'deploy.needs_human',
  'backup.failed',
  'drill.failed',
  'restore.done',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/**
 * Failures repeat (a broken nightly every night, a deploy retried in a loop): like Slack alerts,
 * they are rate limited per event and subject. A start, a success or a finished restore is a
 * different run each time, which whoever asked waits for: never held back.
 */
export const RATE_LIMITED_EVENTS: ReadonlySet<WebhookEventName> = new Set(['deploy.failed', 'deploy.rolled_back', 'deploy.needs_human', 'backup.failed', 'drill.failed']);

export interface WebhookPayload {
  /** The delivery id, set from the step that announces the event (webhookDeliveryId); a random one when unset. */
  id?: string;
  event: WebhookEventName;
  /** ISO time the event happened (a run's finish, a deploy's start). */
  time: string;
  /** passed, failed, rolled-back, ...: the run's own word for how it ended; `started` for deploy.started */
  outcome: string;
  app?: string;
  stage?: string;
  target?: string;
  sha?: string;
  ref?: string;
  /** The Markdown report of the run, on the orchestrator. */
  report?: string;
  /** Why it failed, one line. */
  cause?: string;
  workflowId?: string;
  runId?: string;
  runUrl?: string;
}

/** The app (deploys) or target (backups, drills, restores) an event is about: the rate limit's subject. */
export function webhookSubject(payload: WebhookPayload): string {
  return payload.app ?? payload.target ?? 'ops';
}

const DEPLOY_EVENT: Record<StageOutcome, WebhookEventName> = {
  succeeded: 'deploy.succeeded',
  failed: 'deploy.failed',
  rejected: 'deploy.failed',
  cancelled: 'deploy.failed',
  skipped: 'deploy.failed',
  'rolled-back': 'deploy.rolled_back',
  'rollback-failed': 'deploy.needs_human',
};

/** The event of a finished deploy: the stage it ended on (the failing one, else the last), its outcome and its report. */
export function deployFinishedPayload(report: DeployReport, reportPath: string): WebhookPayload {
  const failed = report.stages.find((s) => s.outcome !== 'succeeded' && s.outcome !== 'skipped');
  const stage = failed ?? report.stages.filter((s) => s.outcome === 'succeeded').at(-1);
  const cause = failed?.error ?? report.error;
  return {
    event: report.cancelled ? 'deploy.failed' : DEPLOY_EVENT[report.outcome],
    time: report.finishedAt,
    outcome: report.cancelled ? 'cancelled' : report.outcome,
    app: report.app,
    ...(stage ? { stage: stage.stage } : {}),
    ...(report.sha ? { sha: report.sha } : {}),
    ref: report.ref,
    report: reportPath,
    ...(cause ? { cause } : {}),
    workflowId: report.workflowId,
    ...(report.runId ? { runId: report.runId } : {}),
    ...(report.runUrl ? { runUrl: report.runUrl } : {}),
  };
}

/** One backup.failed per target whose run failed, skipped targets (another run had them) not. */
export function backupFailedPayloads(targets: Array<{ target: string; error?: string; failedStep?: string; skipped?: string }>, reportPath: string, time: string): WebhookPayload[] {
  return targets
    .filter((t) => t.error && !t.skipped)
    .map((t) => ({ event: 'backup.failed', time, outcome: `${t.failedStep ?? 'dump'} failed`, target: t.target, report: reportPath, cause: t.error! }));
}

export function drillFailedPayload(record: DrillRecord, reportPath: string): WebhookPayload | undefined {
  if (record.status !== 'failed') return undefined;
  return { event: 'drill.failed', time: record.finishedAt, outcome: 'failed', target: record.target, report: reportPath, cause: record.reasons.join('; ') };
}

/** Every restore that reached its report, whatever the outcome: passed, failed, refused or cancelled. */
export function restoreDonePayload(record: RestoreRecord, reportPath: string): WebhookPayload {
  const cause = record.reasons.join('; ');
  return { event: 'restore.done', time: record.finishedAt, outcome: record.status, target: record.target, report: reportPath, ...(cause ? { cause } : {}) };
}

/**
 * The X-Ops-Signature header value: HMAC-SHA256, keyed with the webhook's secret, over
 * "<timestamp>.<raw body>". The timestamp (X-Ops-Timestamp, Unix seconds) is inside the signed
 * string, so a captured request replayed later carries a stale time the receiver rejects.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
