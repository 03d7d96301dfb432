import type { OpsConfig } from '../../config/load-config.js';
import type { SshHostAddress } from '../../config/location.js';
import { PreconditionFailed } from '../../core/errors.js';

export type AppConfig = OpsConfig['apps'][number];
export type StageConfig = AppConfig['stages'][number];

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

export function findApp(config: OpsConfig, appName: string): AppConfig {
  const app = config.apps.find((a) => a.name === appName);
  if (!app) throw new PreconditionFailed(`unknown app "${appName}" (configured: ${config.apps.map((a) => a.name).join(', ') || 'none'})`);
  return app;
}

export function stageTarget(config: OpsConfig, appName: string, stageName: string): StageTarget {
  const app = findApp(config, appName);
  const stage = app.stages.find((s) => s.name === stageName);
  if (!stage) throw new PreconditionFailed(`unknown stage "${stageName}" of app "${appName}" (stages: ${app.stages.map((s) => s.name).join(', ')})`);
  const host = config.hosts[stage.host];
  if (!host) throw new PreconditionFailed(`stage "${stageName}" of app "${appName}" names unknown host "${stage.host}"`);
  return { app, stage, hostName: stage.host, host: host.ssh, root: (stage.path ?? app.path).replace(/\/$/, ''), project: app.compose.project ?? `${app.name}-${stage.name}` };
}

export const releaseDir = (target: StageTarget, sha: string) => `${target.root}/releases/${sha}`;
export const currentLink = (target: StageTarget) => `${target.root}/current`;
export const releaseLog = (target: StageTarget) => `${target.root}/releases.log`;
