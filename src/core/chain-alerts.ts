import type { TargetOutcome } from '../contracts/backup.js';
import { rpoAlerts, verifyFailureAlert, type AlertEvent } from './alert-rules.js';
import type { HealthReport } from './backup-health.js';

/**
 * The alerts a finished nightly chain raises: each failed target by the step it failed at (a failed
 * dump is "backup failed", a failed offsite copy "offsite failed"), "verify failed repeatedly" when
 * a target's consecutive verify failures reach the threshold, and every target past its RPO.
 */
export function chainAlerts(failed: TargetOutcome[], health: HealthReport, threshold: number, runUrl?: string): AlertEvent[] {
  const link = runUrl ? { runUrl } : {};
  const events: AlertEvent[] = [];
  for (const outcome of failed) {
    if (outcome.failedStep === 'verify') continue;
    // Several destinations: each failed copy is its own alert, so one that keeps failing is told apart from the others.
    if (outcome.failedStep === 'offsite' && outcome.offsiteFailures?.length) {
      for (const f of outcome.offsiteFailures) events.push({ kind: 'offsite-failed', subject: `${outcome.target} → ${f.destination}`, cause: f.error, ...link });
      continue;
    }
    events.push({ kind: outcome.failedStep === 'offsite' ? 'offsite-failed' : 'backup-failed', subject: outcome.target, cause: outcome.error ?? 'unknown', ...link });
  }
  for (const target of health.targets) {
    if (verifyFailureAlert(target.consecutiveVerifyFailures, threshold)) {
      const cause = failed.find((f) => f.target === target.target)?.error ?? `${target.consecutiveVerifyFailures} verify failures in a row`;
      events.push({ kind: 'verify-failed-repeatedly', subject: target.target, cause, ...link });
    }
  }
  return [...events, ...rpoAlerts(health, runUrl)];
}
