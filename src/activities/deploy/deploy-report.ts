import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { renderDeployReport, type DeployReport } from '../../core/deploy-report.js';
import { stampOf } from '../../core/backup-id.js';
import { deployRecordFromReport } from '../../core/deploy-metrics.js';
import { recordDeployOutcome } from './deploy-records.js';
import { writeFileAtomic } from '../repository/atomic-write.js';

/** Writes deploy-<app>-<stamp>.md and deploy-<app>-latest.md into the reports dir, and the deploy's metrics record. */
export async function writeDeployReport(config: OpsConfig, report: DeployReport): Promise<{ path: string }> {
  await mkdir(config.reports, { recursive: true });
  const markdown = renderDeployReport(report);
  const path = join(config.reports, `deploy-${report.app}-${stampOf(new Date(report.finishedAt))}.md`);
  await writeFileAtomic(path, markdown);
  await writeFileAtomic(join(config.reports, `deploy-${report.app}-latest.md`), markdown);
  // The metrics endpoint counts deploys and their step times from these records.
  await recordDeployOutcome(config, deployRecordFromReport(report));
  return { path };
}
