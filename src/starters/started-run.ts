import { quoteForShell } from '../commands/shell-quote.js';
import { runUrl, UI_URL_VAR, type ConnectionSettings } from '../temporal/connection-settings.js';

type RunLinkSettings = Pick<ConnectionSettings, 'uiUrl' | 'namespace'>;

/**
 * Where to look at a run: its Web UI page, or, when no UI URL is known (an external Temporal
 * without OPS_TEMPORAL_UI_URL), the `temporal` command that shows it and the variable that would
 * give the link. The temporal CLI reads TEMPORAL_ADDRESS and the TLS/API key variables itself.
 */
export function runLocation(settings: RunLinkSettings, workflowId: string, runId?: string): string {
  const url = runUrl(settings, workflowId, runId);
  if (url) return url;
  const namespace = settings.namespace === 'default' ? [] : ['--namespace', settings.namespace];
  const describe = quoteForShell(['temporal', 'workflow', 'describe', '--workflow-id', workflowId, ...namespace]);
  return `${describe}   (no Web UI link: set ${UI_URL_VAR} to the UI's base URL)`;
}

/** What every verb prints once it has started a run. */
export function printStarted(settings: RunLinkSettings, workflowId: string, runId?: string, write: (line: string) => void = console.log): void {
  write(`started ${workflowId}`);
  write(`  ${runLocation(settings, workflowId, runId)}`);
}
