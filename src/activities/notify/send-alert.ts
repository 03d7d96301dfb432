import { join } from 'node:path';
import { configSecrets } from '../../config/config-secrets.js';
import type { OpsConfig } from '../../config/load-config.js';
import { redact } from '../../config/secret.js';
import { renderAlertEmail } from '../../core/alert-email.js';
import { alertKey, decideAlert, renderAlertText, type AlertEvent } from '../../core/alert-rules.js';
import { describeError } from '../../core/errors.js';
import { mailAlert, postAlertToSlack, SLACK_POLICY, type SlackPolicy } from './alert-channels.js';
import { AlertStateStore } from '../../records/alert-state-store.js';

export const ALERT_STATE_FILE = 'alert-state.json';

export interface AlertDelivery {
  delivered: 'slack' | 'email' | 'suppressed' | 'none';
  /** Why Slack (and email) did not take it, with every secret redacted; also set when email stood in for Slack. */
  error?: string;
}

export interface SendAlertDeps {
  now?: () => Date;
  log?: (line: string) => void;
  slack?: Partial<SlackPolicy>;
}

/**
 * What a worker says at start when no alert can ever be delivered. Said then, not at the first
 * alert: a worker that never raises one would otherwise never say it.
 */
export function alertsOffNotice(config: Pick<OpsConfig, 'notify'>): string | undefined {
  const { slack, email } = config.notify;
  return slack || email ? undefined : 'alerts are off: no notify.slack.webhookUrl and no notify.email configured';
}

/**
 * Sends one alert: rate limited per kind and subject (the limit lives in <stateDir>/alert-state.json
 * and survives restarts), to Slack with a few quick retries, else by email when that is configured.
 * Delivery failures are returned, never thrown, so a failed alert can neither fail nor repeat the
 * run that raised it. An alert nothing could deliver is not recorded as sent: the next one goes out.
 */
export async function sendAlert(config: OpsConfig, event: AlertEvent, deps: SendAlertDeps = {}): Promise<AlertDelivery> {
  const { now = () => new Date(), log = (line: string) => console.warn(line) } = deps;
  const { slack, email } = config.notify;
  // Nothing to say here: the worker says alerts are off when it starts (alertsOffNotice).
  if (!slack && !email) return { delivered: 'none' };

  const store = new AlertStateStore(join(config.stateDir, ALERT_STATE_FILE), log);
  const key = alertKey(event);
  const decision = decideAlert(event, await store.read(), now(), config.notify.rateLimitMinutes * 60_000);
  const save = async (result: AlertDelivery): Promise<AlertDelivery> => {
    try {
      await store.set(key, decision.nextState[key]!);
      return result;
    } catch (err) {
      // Throwing would have Temporal retry the activity and send the alert again.
      const problem = `alert state not saved: ${describeError(err)}`;
      log(problem);
      return { ...result, error: result.error ? `${result.error}; ${problem}` : problem };
    }
  };
  if (!decision.send) return save({ delivered: 'suppressed' });

  const secrets = configSecrets(config);
  const since = decision.suppressedSince ? { at: decision.suppressedSince, timeZone: config.timeZone } : undefined;
  const text = redact(renderAlertText(event, decision.suppressed, since), secrets);
  const failures: string[] = [];
  if (slack) {
    try {
      await postAlertToSlack(slack.webhookUrl.reveal(), text, { ...SLACK_POLICY, ...deps.slack });
      return save({ delivered: 'slack' });
    } catch (err) {
      failures.push(redact(describeError(err), secrets));
    }
  }
  if (email) {
    try {
      await mailAlert(email, renderAlertEmail(text, failures[0]));
      return save({ delivered: 'email', ...(failures.length > 0 ? { error: failures.join('; ') } : {}) });
    } catch (err) {
      failures.push(`email failed: ${redact(describeError(err), secrets)}`);
    }
  }
  const error = failures.join('; ');
  log(`alert ${key} not delivered: ${error}`);
  return { delivered: 'none', error };
}
