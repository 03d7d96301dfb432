import { describe, expect, it } from 'vitest';
import { printStarted, runLocation } from '../../src/starters/started-run.js';

const HINT = "(no Web UI link: set OPS_TEMPORAL_UI_URL to the UI's base URL)";

/** The lines a verb prints for the run it started: the Web UI link when a UI is known, else how to find the run. */
describe('runLocation', () => {
  it.each([
    ['a UI: its run page', { uiUrl: 'http://ui.example:8080', namespace: 'default' }, 'backup-20260101T000000Z-manual', 'run-1', 'http://ui.example:8080/namespaces/default/workflows/backup-20260101T000000Z-manual/run-1/history'],
    ['a UI with a trailing slash, no run id', { uiUrl: 'https://ui.example/', namespace: 'ops-prod' }, 'deploy-crm', undefined, 'https://ui.example/namespaces/ops-prod/workflows/deploy-crm'],
    ['no UI: the temporal command and the variable', { namespace: 'default' }, 'deploy-crm', 'run-1', `temporal workflow describe --workflow-id deploy-crm   ${HINT}`],
    ['no UI, another namespace: the command names it', { namespace: 'ops.prod' }, 'drill-20260101T000000Z-manual', undefined, `temporal workflow describe --workflow-id drill-20260101T000000Z-manual --namespace ops.prod   ${HINT}`],
    ['no UI, an id a shell would split: quoted', { namespace: 'default' }, 'verify-a b', undefined, `temporal workflow describe --workflow-id 'verify-a b'   ${HINT}`],
  ])('%s', (_, settings, workflowId, runId, expected) => {
    expect(runLocation(settings, workflowId, runId)).toBe(expected);
  });

  it('printStarted prints the id, then where to look', () => {
    const lines: string[] = [];
    printStarted({ namespace: 'default' }, 'deploy-crm', 'run-1', (line) => lines.push(line));
    expect(lines).toEqual(['started deploy-crm', `  temporal workflow describe --workflow-id deploy-crm   ${HINT}`]);
  });
});
