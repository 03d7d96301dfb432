import type { HealthReport } from './backup-health.js';
import { formatLocalTime } from './format.js';

/**
 * What to alert about, how often, and the Slack line for it.
 *
 * Alerts are rate limited per key (kind + subject): within `rateLimitMs` of the last sent alert
 * the same key is counted instead of sent, and the first one after the limit says how many were
 * held back. The state is plain JSON so the worker can persist it and the limit survives restarts.
 */
export type AlertKind =
  | 'backup-failed'
  | 'verify-failed-repeatedly'
  | 'rpo-exceeded'
  | 'offsite-failed'
  | 'drill-failed'
  | 'deploy-failed'
  | 'deploy-rolled-back'
  | 'schedule-missed';

export interface AlertEvent {
  kind: AlertKind;
  /** target, app or schedule id */
  subject: string;
  cause: string;
  runUrl?: string;
}

export type AlertState = Record<string, { lastSentAt: string; suppressed: number }>;

export interface AlertDecision {
  send: boolean;
  nextState: AlertState;
  /** when sending: how many were suppressed since the last one was sent (for renderAlertText); otherwise the count so far, this one included */
  suppressed: number;
  /** the last send of this key, when suppressed > 0 */
  suppressedSince?: string;
}

export function alertKey(event: AlertEvent): string {
  return `${event.kind}:${event.subject}`;
}

export function decideAlert(event: AlertEvent, state: AlertState, now: Date, rateLimitMs: number): AlertDecision {
  return decideRateLimit(alertKey(event), state, now, rateLimitMs);
}

/** The limit itself, for any key: alerts use kind + subject, webhooks their own keys in the same state. */
export function decideRateLimit(key: string, state: AlertState, now: Date, rateLimitMs: number): AlertDecision {
  if (!Number.isFinite(rateLimitMs) || rateLimitMs < 0) throw new RangeError(`rateLimitMs must be a finite number >= 0, got ${rateLimitMs}`);
  const previous = state[key];
  const lastSentMs = previous ? Date.parse(previous.lastSentAt) : Number.NaN;
  // An unreadable lastSentAt (a damaged state file) must not silence the alert forever: send.
  if (previous === undefined || Number.isNaN(lastSentMs) || now.getTime() - lastSentMs >= rateLimitMs) {
    const suppressed = previous?.suppressed ?? 0;
    return {
      send: true,
      nextState: { ...state, [key]: { lastSentAt: now.toISOString(), suppressed: 0 } },
      suppressed,
      ...(suppressed > 0 && previous ? { suppressedSince: previous.lastSentAt } : {}),
    };
  }
  const suppressed = previous.suppressed + 1;
  return { send: false, nextState: { ...state, [key]: { ...previous, suppressed } }, suppressed, suppressedSince: previous.lastSentAt };
}

const HEADLINES: Record<AlertKind, string> = {
  'backup-failed': ':rotating_light: Backup failed',
  'verify-failed-repeatedly': ':rotating_light: Verify-restore failed repeatedly',
  'rpo-exceeded': ':rotating_light: RPO exceeded',
  'offsite-failed': ':warning: Offsite copy failed',
  'drill-failed': ':rotating_light: Restore drill failed',
  'deploy-failed': ':x: Deploy failed',
  'deploy-rolled-back': ':leftwards_arrow_with_hook: Deploy rolled back',
  'schedule-missed': ':alarm_clock: Schedule missed',
};

/** Slack cuts nothing itself, and a stderr tail can be pages long. */
const MAX_CAUSE_CHARS = 300;

/**
 * One Slack line: headline, subject, cause, run link, and how many repeats were suppressed
 * (since the last alert sent, when `since` gives its time and the zone to show it in).
 * Only what the event carries; subject and cause are escaped (&, <, > are Slack's control
 * characters) and the cause is folded onto one line.
 */
export function renderAlertText(event: AlertEvent, suppressed: number, since?: { at: string; timeZone: string }): string {
  const folded = event.cause.replace(/\s+/g, ' ').trim();
  const cause = folded.length > MAX_CAUSE_CHARS ? `${folded.slice(0, MAX_CAUSE_CHARS - 1)}…` : folded;
  const parts = [`${HEADLINES[event.kind]}: ${escapeSlack(event.subject)}`];
  if (cause) parts.push(`— ${escapeSlack(cause)}`);
  if (event.runUrl) parts.push(`<${event.runUrl}|run>`);
  if (suppressed > 0) parts.push(`(${suppressed} ${suppressed === 1 ? 'repeat' : 'repeats'} suppressed${since ? ` since ${formatLocalTime(since.at, since.timeZone)}` : ''})`);
  return parts.join(' ');
}

/**
 * Whether "verify failed N times in a row" fires at this count: when the run of failures reaches
 * the threshold, and again at every further multiple of it (2, 4, 6 ... for a threshold of 2), so
 * a verify that stays broken is reminded about every `threshold` runs rather than every run or never.
 */
export function verifyFailureAlert(consecutiveFailures: number, threshold: number): boolean {
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be an integer >= 1, got ${threshold}`);
  return consecutiveFailures >= threshold && consecutiveFailures % threshold === 0;
}

/** The watchdog's RPO alerts: one per target whose health has an RPO finding (including "no backup yet"), linking to the run that found it. */
export function rpoAlerts(health: HealthReport, runUrl?: string): AlertEvent[] {
  return health.targets.flatMap((t) =>
    t.findings
      .filter((f) => f.check === 'rpo')
      .map((f): AlertEvent => ({ kind: 'rpo-exceeded', subject: t.target, cause: f.message, ...(runUrl ? { runUrl } : {}) })),
  );
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
