import { describe, expect, it } from 'vitest';
import { renderDotenv } from '../../src/core/dotenv.js';

describe('renderDotenv', () => {
  it.each<[string, Record<string, string>, string]>([
    ['sorted by key, each value double-quoted', { PORT: '3000', APP_NAME: 'crm' }, 'APP_NAME="crm"\nPORT="3000"\n'],
    ['\\, ", $ and newlines escaped, so a secret survives compose intact', { DB_PASSWORD: 'a\\b"c$HOME\nd' }, 'DB_PASSWORD="a\\\\b\\"c\\$HOME\\nd"\n'],
    ['lower case and a leading _ are keys too', { _token: 'x', port: '1' }, '_token="x"\nport="1"\n'],
    ['nothing to render', {}, '\n'],
  ])('%s', (_name, entries, expected) => {
    expect(renderDotenv(entries)).toBe(expected);
  });

  it.each<[string]>([['APP-NAME'], ['1PORT'], ['A B'], [''], ['db.password']])('refuses the key %j', (key) => {
    expect(() => renderDotenv({ [key]: 'x' })).toThrow(`not a valid .env key: "${key}"`);
  });
});
