import { UnknownName } from '../core/errors.js';
import type { OpsConfig } from './load-config.js';
import type { Target } from './target.js';

export type AppConfig = OpsConfig['apps'][number];
export type StageConfig = AppConfig['stages'][number];
export type StageHostConfig = NonNullable<StageConfig['hosts']>[number];

/**
 * The one home of "find X by name in the loaded config": each lookup throws UnknownName naming what
 * was asked and what is configured. Functions rather than methods on OpsConfig, because the config
 * is a plain object that callers and tests spread and rebuild.
 */
export function findTarget(config: OpsConfig, name: string): Target {
  return findTargets(config, [name])[0]!;
}

/** The named targets in the order asked; every unknown name is reported at once. */
export function findTargets(config: OpsConfig, names: string[]): Target[] {
  return pick(config.targets, names, 'target');
}

export function findApp(config: OpsConfig, name: string): AppConfig {
  return pick(config.apps, [name], 'app')[0]!;
}

/** The named stages of an app in the order asked; the error names the app: `unknown stage "qa" of app "web" (configured: ...)`. */
export function findStages(config: OpsConfig, appName: string, names: string[]): StageConfig[] {
  return pick(findApp(config, appName).stages, names, 'stage', ` of app "${appName}"`);
}

export function findStage(config: OpsConfig, appName: string, name: string): StageConfig {
  return findStages(config, appName, [name])[0]!;
}

/** A stage's hosts in rollout order; `host: x` is a stage of that one host. */
export function stageHosts(stage: StageConfig): StageHostConfig[] {
  return stage.hosts ?? [{ host: stage.host!, env: {} }];
}

/** One host of a stage by name; without a name, its first (the only one of a `host:` stage). */
export function findStageHost(config: OpsConfig, appName: string, stageName: string, hostName?: string): StageHostConfig {
  const hosts = stageHosts(findStage(config, appName, stageName));
  if (hostName === undefined) return hosts[0]!;
  const entry = hosts.find((h) => h.host === hostName);
  if (!entry) throw new UnknownName('host', [hostName], hosts.map((h) => h.host), ` of stage "${stageName}" of app "${appName}"`);
  return entry;
}

function pick<T extends { name: string }>(items: readonly T[], names: string[], what: string, of = ''): T[] {
  const unknown = names.filter((name) => !items.some((item) => item.name === name));
  if (unknown.length > 0) throw new UnknownName(what, unknown, items.map((item) => item.name), of);
  return names.map((name) => items.find((item) => item.name === name)!);
}
