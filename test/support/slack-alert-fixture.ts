import { expect } from 'vitest';
import type { BackupFixture, FixtureOptions } from './backup-fixture.js';
import { testServers } from './servers.js';
import type { SlackReceiver } from './slack-receiver.js';

/**
 * Fixture options whose notify.slack points at the Slack stand-in, its URL handed in as the
 * secret ${SLACK_WEBHOOK_URL}, as a real deployment would; `options.edit` runs after that.
 */
export function alertingTo(receiver: SlackReceiver, options: FixtureOptions = {}): FixtureOptions {
  return {
    ...options,
    env: { ...options.env, SLACK_WEBHOOK_URL: receiver.url },
    edit: (doc) => {
      doc.notify = { slack: { webhookUrl: '${SLACK_WEBHOOK_URL}' } };
      options.edit?.(doc);
    },
  };
}

/** A config edit: back up only the fixture's PostgreSQL database, so every alert is about that one target. */
export function onlyPostgresTarget(doc: Record<string, any>): void {
  doc.databases = [doc.databases[0]];
  doc.files = [];
}

/** No secret of the fixture (its env: passwords, the webhook URL) nor a server's admin password in any text. */
export function expectNoSecretsIn(texts: string[], fixture: BackupFixture): void {
  const { postgres, mariadb } = testServers();
  const secrets = [...Object.values(fixture.env), postgres.adminPassword, mariadb.adminPassword];
  for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
}
