import { formatJsonLine, parseJsonLines } from './json-lines.js';

/**
 * One webhook delivery given up, as one JSON line of <stateDir>/webhook-failures.jsonl: what the
 * metrics endpoint counts. `webhook` is the receiver's origin only: a URL's path or query may carry a token.
 */
export interface WebhookFailure {
  at: string;
  event: string;
  webhook: string;
  error: string;
}

export function formatWebhookFailureLine(failure: WebhookFailure): string {
  return formatJsonLine(failure);
}

export function parseWebhookFailures(text: string): WebhookFailure[] {
  return parseJsonLines(text, (value): value is WebhookFailure => {
    const v = value as Partial<WebhookFailure>;
    return typeof v.at === 'string' && typeof v.event === 'string' && typeof v.webhook === 'string';
  });
}

/** Given-up deliveries per event and receiver, sorted, for webhook_failures_total. */
export function countWebhookFailures(failures: WebhookFailure[]): Array<{ event: string; webhook: string; count: number }> {
  const counts = new Map<string, { event: string; webhook: string; count: number }>();
  for (const f of failures) {
    const key = `${f.event} ${f.webhook}`;
    const entry = counts.get(key) ?? { event: f.event, webhook: f.webhook, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => a.event.localeCompare(b.event) || a.webhook.localeCompare(b.webhook));
}
