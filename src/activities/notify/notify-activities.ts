import type { OpsConfig } from '../../config/load-config.js';
import type { AlertEvent } from '../../core/alert-rules.js';
import { sendAlert } from './send-alert.js';

/** Alert delivery as an activity, bound to one loaded config. Any workflow may raise an AlertEvent. */
export function createNotifyActivities(config: OpsConfig) {
  return {
    sendAlert: (event: AlertEvent) => sendAlert(config, event),
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
