import { Secret } from './secret.js';

/** Every Secret anywhere in a loaded config: what a message built from outside text must not carry. */
export function configSecrets(value: unknown, found: Secret[] = []): Secret[] {
  if (value instanceof Secret) found.push(value);
  else if (Array.isArray(value)) for (const item of value) configSecrets(item, found);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) configSecrets(item, found);
  return found;
}
