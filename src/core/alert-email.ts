/** Slack's emoji codes would print literally in a mail client. */
const LEADING_EMOJI = /^:[a-z0-9_+-]+:\s*/;
const SLACK_LINK = /<([^|<>]+)\|([^<>]+)>/g;
const MAX_SUBJECT_CHARS = 150;

/**
 * The alert as an email, for when Slack could not take it: the Slack line made plain (no emoji code,
 * no Slack escapes, the run link as a bare URL). The subject is its headline (what, and which
 * app or target); the body is the whole line and, when there is one, why Slack did not get it.
 */
export function renderAlertEmail(slackText: string, slackError?: string): { subject: string; text: string } {
  const plain = slackText
    .replace(LEADING_EMOJI, '')
    .replace(SLACK_LINK, (_, url: string, label: string) => `${label}: ${url}`)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const headline = plain.split(' — ')[0]!;
  const subject = headline.length > MAX_SUBJECT_CHARS ? `${headline.slice(0, MAX_SUBJECT_CHARS - 1)}…` : headline;
  const text = slackError ? `${plain}\n\nSent by email because Slack failed: ${slackError}\n` : `${plain}\n`;
  return { subject, text };
}
