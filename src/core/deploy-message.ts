import type { AlertEvent } from './alert-rules.js';
import type { DeployReport } from './deploy-report.js';

/** The Slack line for a finished deploy: what, which outcome, why, a link to the run, and who started it. Never secrets: only names, SHAs and error messages. */
export function deployMessage(report: DeployReport): string {
  const what = `${report.app} ${report.sha ? `\`${report.sha.slice(0, 12)}\` ` : ''}(${report.ref})`;
  const failed = report.stages.find((s) => s.outcome !== 'succeeded' && s.outcome !== 'skipped');
  const link = report.runUrl ? ` <${report.runUrl}|run>` : '';
  if (report.error) return `:x: Deploy ${what} ${report.cancelled ? 'cancelled' : 'failed'} before any stage: ${report.error}${link} (by ${report.startedBy})`;
  if (!failed) return `:white_check_mark: Deployed ${what} to ${report.stages.map((s) => s.stage).join(', ')}${link} (by ${report.startedBy})`;
  const why = failed.error ?? failed.approval?.reason ?? '';
  const stopped = report.cancelled ? 'cancelled' : 'failed';
  const verdict: Record<string, string> = {
    'rolled-back': `${stopped} on ${failed.stage}, rolled back and healthy`,
    'rollback-failed': `${stopped} on ${failed.stage}, rollback failed: needs a human`,
    failed: `failed on ${failed.stage}`,
    cancelled: `cancelled on ${failed.stage}`,
    rejected: `stopped before ${failed.stage}: approval ${failed.approval?.by === 'timeout' ? 'timed out' : `rejected by ${failed.approval?.by ?? 'unknown'}`}`,
  };
  return `:x: Deploy ${what} ${verdict[failed.outcome] ?? failed.outcome}${why ? `: ${why}` : ''}${link} (by ${report.startedBy})`;
}

/**
 * The alert for a deploy that failed or was rolled back: the app, the stage and its error, the run;
 * for a run that failed before any stage (unknown ref, failed export), the ref and that error.
 * None for a deploy that succeeded, was stopped at an approval (a decision, not a failure) or was
 * cancelled before it changed a host.
 */
export function deployAlert(report: DeployReport): AlertEvent | undefined {
  const run = report.runUrl ? { runUrl: report.runUrl } : {};
  if (report.error && !report.cancelled) {
    return { kind: 'deploy-failed', subject: report.app, cause: `${report.sha ? report.sha.slice(0, 12) : report.ref}: ${report.error}`, ...run };
  }
  const failed = report.stages.find((s) => s.outcome === 'failed' || s.outcome === 'rolled-back' || s.outcome === 'rollback-failed');
  if (!failed) return undefined;
  return {
    kind: failed.outcome === 'rolled-back' ? 'deploy-rolled-back' : 'deploy-failed',
    subject: report.app,
    cause: `${report.sha?.slice(0, 12)} on ${failed.stage}${failed.outcome === 'rollback-failed' ? ' (rollback failed: needs a human)' : ''}: ${failed.error ?? failed.outcome}`,
    ...run,
  };
}
