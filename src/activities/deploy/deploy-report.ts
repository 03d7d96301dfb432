import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { NAME_PATTERN } from '../../config/schema-primitives.js';
import { renderDeployReport, type DeployReport } from '../../core/deploy-report.js';
import { stampOf } from '../../core/backup-id.js';
import { deployRecordFromReport } from '../../core/deploy-metrics.js';
import { recordDeployOutcome } from '../../records/deploy-records.js';
import { writeFileAtomic } from '../../records/atomic-write.js';

/**
 * Writes deploy-<app>-<stamp>.md and deploy-<app>-latest.md into the reports dir, and the deploy's
 * metrics record. A run refused before its plan may name an app that is not configured: its report
 * is written under a safe name, and it is no deploy the metrics count.
 */
export async function writeDeployReport(config: OpsConfig, report: DeployReport): Promise<{ path: string }> {
  await mkdir(config.reports, { recursive: true });
  const markdown = renderDeployReport(report, config.timeZone);
  const configured = config.apps.some((app) => app.name === report.app);
  const name = configured || NAME_PATTERN.test(report.app) ? report.app : 'unknown-app';
  const path = join(config.reports, `deploy-${name}-${stampOf(new Date(report.finishedAt))}.md`);
  await writeFileAtomic(path, markdown);
  await writeFileAtomic(join(config.reports, `deploy-${name}-latest.md`), markdown);
  // The metrics endpoint counts deploys and their step times from these records.
  if (configured) {
    await recordDeployOutcome(config, { ...deployRecordFromReport(report), workflowId: report.workflowId, ...(report.runId ? { runId: report.runId } : {}) });
  }
  return { path };
}
