import type { OpsConfig } from '../../config/load-config.js';
import type { SshHostAddress } from '../../config/location.js';
import { findApp, findStage, findStageHost, type AppConfig, type StageConfig } from '../../config/lookups.js';
import { PreconditionFailed } from '../../core/errors.js';

/** One app on one host of one stage: everything a deploy step needs to know about where it runs. */
export interface StageTarget {
  app: AppConfig;
  stage: StageConfig;
  hostName: string;
  host: SshHostAddress;
  /** The deploy root on the host. */
  root: string;
  project: string;
  /** The release .env's plain values: the stage's, with the host entry's merged over them. */
  env: Record<string, string>;
  /** The health gate of this host: the stage's, with the host entry's settings over it. */
  health: StageConfig['health'];
}

/** The one home of "where does this step run": the host named, or the stage's first (its only one for `host:`). */
export function stageTarget(config: OpsConfig, appName: string, stageName: string, hostName?: string): StageTarget {
  const app = findApp(config, appName);
  const stage = findStage(config, appName, stageName);
  const entry = findStageHost(config, appName, stageName, hostName);
  const host = config.hosts[entry.host];
  if (!host) throw new PreconditionFailed(`stage "${stageName}" of app "${appName}" names unknown host "${entry.host}"`);
  const health = { ...stage.health, ...Object.fromEntries(Object.entries(entry.health ?? {}).filter(([, v]) => v !== undefined)) };
  return {
    app, stage, hostName: entry.host, host: host.ssh,
    root: (entry.path ?? stage.path ?? app.path).replace(/\/$/, ''),
    project: app.compose.project ?? `${app.name}-${stage.name}`,
    env: { ...stage.env, ...entry.env },
    health,
  };
}

export const releaseDir = (target: StageTarget, sha: string) => `${target.root}/releases/${sha}`;
export const currentLink = (target: StageTarget) => `${target.root}/current`;
export const releaseLog = (target: StageTarget) => `${target.root}/releases.log`;
