import { Context } from '@temporalio/activity';
import type { OpsConfig } from '../../config/load-config.js';
import type { DrillRecord } from '../../core/backup-health.js';
import type { DeployReport } from '../../core/deploy-report.js';
import { describeError } from '../../core/errors.js';
import type { RestoreRecord } from '../../core/restore-report.js';
import { backupFailedPayloads, deployFinishedPayload, drillFailedPayload, restoreDonePayload, type WebhookPayload } from '../../core/webhook-events.js';
import { webhookDeliveryId, type WebhookStep } from '../../core/webhook-keys.js';
import { runUrl } from '../../temporal/connection-settings.js';
import { sendWebhooks, type SendWebhooksDeps } from './send-webhooks.js';

/**
 * The events, read off the activities that already write how a run went: a deploy's export (it
 * starts rolling out), its report, the nightly report, the drill record and the restore report.
 * Tapping them there, after they succeed, changes no workflow: no new command in any history, so
 * every saved history still replays, and a run without webhooks looks as it did.
 */
const TAPS = {
  prepareRelease: (input: { app: string; sha: string }, _result: unknown, now: Date): WebhookPayload[] => [
    { event: 'deploy.started', time: now.toISOString(), outcome: 'started', app: input.app, sha: input.sha },
  ],
  writeDeployReport: (report: DeployReport, result: { path: string }): WebhookPayload[] => [deployFinishedPayload(report, result.path)],
  writeBackupReport: (request: { targets: Array<{ target: string; error?: string; failedStep?: string; skipped?: string }>; runUrl?: string }, result: { dated: string }, now: Date): WebhookPayload[] =>
    // The dated report is this run's; the latest one is the next run's too.
    backupFailedPayloads(request.targets, result.dated, now.toISOString()).map((p) => ({ ...p, ...(request.runUrl ? { runUrl: request.runUrl } : {}) })),
  recordDrill: (record: DrillRecord, result: { report: string }): WebhookPayload[] => [drillFailedPayload(record, result.report)].filter((p) => p !== undefined),
  writeRestoreReport: (input: { record: RestoreRecord }, result: { report: string }): WebhookPayload[] => [restoreDonePayload(input.record, result.report)],
};

export interface WebhookTapOptions extends SendWebhooksDeps {
  /** The Temporal Web UI: a payload without a run link gets one to the run it came from. */
  uiUrl?: string;
}

type Activity = (...args: never[]) => Promise<unknown>;

/**
 * The activities, those in TAPS announcing their events to the webhooks once they succeed.
 * Delivery runs on after the activity returned: retries to a receiver that is down hold up no run.
 */
export function withWebhooks<A extends Record<string, Activity>>(activities: A, config: OpsConfig, options: WebhookTapOptions = {}): A {
  if (config.notify.webhooks.length === 0) return activities;
  const { log = (line: string) => console.warn(line) } = options;
  const tapped: Record<string, Activity> = { ...activities };
  for (const [name, tap] of Object.entries(TAPS) as Array<[string, (input: never, result: never, now: Date) => WebhookPayload[]]>) {
    const activity = activities[name];
    if (!activity) continue;
    tapped[name] = async (...args: never[]) => {
      const result = await activity(...args);
      // The activity has done its work: nothing about its webhooks may fail it (and have Temporal run it again).
      try {
        const { run, step } = currentRun(options.uiUrl);
        const payloads = tap(args[0]!, result as never, new Date()).map((p, i) => ({ ...(step ? { id: webhookDeliveryId(step, i, p.event) } : {}), ...run, ...p }));
        void sendWebhooks(config, payloads, options).catch((err: unknown) => log(`webhooks not sent: ${describeError(err)}`));
      } catch (err) {
        log(`webhooks of ${name} not sent: ${describeError(err)}`);
      }
      return result;
    };
  }
  return tapped as A;
}

/** The workflow run the activity works for, with its Web UI link when the worker knows the UI, and the step its delivery ids derive from. */
function currentRun(uiUrl: string | undefined): { run: Pick<WebhookPayload, 'workflowId' | 'runId' | 'runUrl'>; step?: WebhookStep } {
  const { workflowExecution, namespace, activityId } = Context.current().info;
  // A standalone activity (no workflow) has no run to link to.
  if (!workflowExecution) return { run: {} };
  const { workflowId, runId } = workflowExecution;
  const link = uiUrl ? runUrl({ uiUrl, namespace }, workflowId, runId) : undefined;
  return { run: { workflowId, runId, ...(link ? { runUrl: link } : {}) }, step: { workflowId, runId, activityId } };
}
