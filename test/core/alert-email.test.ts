import { describe, expect, it } from 'vitest';
import { renderAlertEmail } from '../../src/core/alert-email.js';
import { renderAlertText, type AlertEvent } from '../../src/core/alert-rules.js';

const RUN = 'http://127.0.0.1:8233/namespaces/default/workflows/deploy-crm/abc/history';

describe('renderAlertEmail', () => {
  it.each<[string, AlertEvent, number, string | undefined, { subject: string; text: string }]>([
    [
      'a deploy failure with its run, after Slack failed',
      { kind: 'deploy-failed', subject: 'crm', cause: 'on staging: build failed', runUrl: RUN },
      0,
      'Slack webhook failed after 3 attempts: HTTP 500',
      { subject: 'Deploy failed: crm', text: `Deploy failed: crm — on staging: build failed run: ${RUN}\n\nSent by email because Slack failed: Slack webhook failed after 3 attempts: HTTP 500\n` },
    ],
    [
      "Slack's escapes undone, repeats kept, no Slack error",
      { kind: 'backup-failed', subject: 'shop-db', cause: 'rows <1 & >0' },
      2,
      undefined,
      { subject: 'Backup failed: shop-db', text: 'Backup failed: shop-db — rows <1 & >0 (2 repeats suppressed)\n' },
    ],
    [
      'no cause: the whole line is the headline',
      { kind: 'schedule-missed', subject: 'nightly-backup', cause: '' },
      0,
      undefined,
      { subject: 'Schedule missed: nightly-backup', text: 'Schedule missed: nightly-backup\n' },
    ],
  ])('%s', (_, event, suppressed, slackError, expected) => {
    expect(renderAlertEmail(renderAlertText(event, suppressed), slackError)).toEqual(expected);
  });

  it('cuts a long subject', () => {
    const { subject } = renderAlertEmail(renderAlertText({ kind: 'rpo-exceeded', subject: 'x'.repeat(200), cause: 'late' }, 0));
    expect(subject).toBe(`RPO exceeded: ${'x'.repeat(150 - 'RPO exceeded: '.length - 1)}…`);
  });
});
