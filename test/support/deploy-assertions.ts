import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { testServers } from './servers.js';

/** What `docker` (the test stand-in) was asked to do for one compose project, in order. */
export function dockerCalls(project: string): string[][] {
  const log = readFileSync(join(testServers().dockerShimState, 'calls.log'), 'utf8');
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
    .filter((argv) => argv.includes(project));
}

export function currentRelease(root: string): string {
  return readlinkSync(join(root, 'current'));
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
