import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseReleaseLog, type ReleaseLogEntry } from '../../src/core/release-log.js';
import type { DeployFixture } from './deploy-fixture.js';
import { testServers } from './servers.js';

/** What `docker` (the test stand-in) was asked to do for one compose project, in order; none before its first call. */
export function dockerCalls(project: string): string[][] {
  const file = join(testServers().dockerShimState, 'calls.log');
  if (!existsSync(file)) return [];
  const log = readFileSync(file, 'utf8');
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
    .filter((argv) => argv.includes(project));
}

export function currentRelease(root: string): string {
  return readlinkSync(join(root, 'current'));
}

/** The `current` link's target, or null when there is none (nothing was ever switched). */
export function currentReleaseIfAny(root: string): string | null {
  try {
    return readlinkSync(join(root, 'current'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Everything in a stage's deploy root: empty for a stage no deploy reached. */
export function deployRootEntries(root: string): string[] {
  return existsSync(root) ? readdirSync(root).sort() : [];
}

/** The stage's releases.log on its host, parsed; none when no deploy wrote to it. */
export function releaseLogOf(root: string): ReleaseLogEntry[] {
  const file = join(root, 'releases.log');
  return existsSync(file) ? parseReleaseLog(readFileSync(file, 'utf8')) : [];
}

export function latestDeployReport(fixture: DeployFixture): string {
  return readFileSync(join(fixture.config.reports, `deploy-${fixture.app}-latest.md`), 'utf8');
}

export function fileMode(path: string): number {
  return statSync(path).mode & 0o777;
}

export async function healthOf(baseUrl: string): Promise<{ http: number; version?: string; release?: string }> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json()) as { version?: string; release?: string };
    return { http: response.status, version: body.version, release: body.release };
  } catch {
    return { http: 0 };
  }
}
