import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every call the docker stand-in of one host (its DOCKER_SHIM_STATE) answered, in order. */
export function callsOn(state: string): string[][] {
  const file = join(state, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { argv: string[] }).argv);
}

/** The ID the stand-in's image store on one host holds under `ref`. */
export function imageIdOn(state: string, ref: string): string | undefined {
  const file = join(state, 'images', 'store.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { tags: Record<string, string> }).tags[ref];
}
