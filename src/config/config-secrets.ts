import { Secret } from './secret.js';

/** A loaded config never changes, and ssh steps ask for its secrets on every command: collect them once. */
const collected = new WeakMap<object, Secret[]>();

/** Every Secret anywhere in a loaded config: what a message built from outside text must not carry. */
export function configSecrets(config: object): Secret[] {
  let found = collected.get(config);
  if (!found) {
    found = collect(config, []);
    collected.set(config, found);
  }
  return found;
}

function collect(value: unknown, found: Secret[]): Secret[] {
  if (value instanceof Secret) found.push(value);
  else if (Array.isArray(value)) for (const item of value) collect(item, found);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) collect(item, found);
  return found;
}
