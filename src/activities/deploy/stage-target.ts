import type { OpsConfig } from '../../config/load-config.js';
import type { SshHostAddress } from '../../config/location.js';
import { findApp, findStage, type AppConfig, type StageConfig } from '../../config/lookups.js';
import { PreconditionFailed } from '../../core/errors.js';

/** One app on one stage: everything a deploy step needs to know about where it runs. */
export interface StageTarget {
  app: AppConfig;
  stage: StageConfig;
  hostName: string;
  host: SshHostAddress;
  /** The deploy root on the host. */
  root: string;
  project: string;
}

export function stageTarget(config: OpsConfig, appName: string, stageName: string): StageTarget {
  const app = findApp(config, appName);
  const stage = findStage(config, appName, stageName);
  const host = config.hosts[stage.host];
  if (!host) throw new PreconditionFailed(`stage "${stageName}" of app "${appName}" names unknown host "${stage.host}"`);
  return { app, stage, hostName: stage.host, host: host.ssh, root: (stage.path ?? app.path).replace(/\/$/, ''), project: app.compose.project ?? `${app.name}-${stage.name}` };
}

export const releaseDir = (target: StageTarget, sha: string) => `${target.root}/releases/${sha}`;
export const currentLink = (target: StageTarget) => `${target.root}/current`;
export const releaseLog = (target: StageTarget) => `${target.root}/releases.log`;
