import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compositeSha256, sameComposite } from '../../src/core/s3-composite-checksum.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

describe('compositeSha256: S3\'s checksum of a multipart object (values from openssl dgst -sha256 -binary | base64)', () => {
  it.each<[string, Buffer[], string]>([
    ['one part', [sha256('a')], 'v106/7c+/S7Gw2rTES3ZM+/tY8Thy//PqI4nWcFE8tg=-1'],
    ['two parts', [sha256('a'), sha256('b')], '5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-2'],
  ])('%s', (_name, parts, expected) => {
    expect(compositeSha256(parts)).toBe(expected);
  });
});

describe('sameComposite: the digest must match, and the part count where the provider gives one', () => {
  it.each<[string, string, boolean]>([
    ['5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-2', '5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-2', true],
    ['5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=', '5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-2', true],
    ['5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-3', '5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-2', false],
    ['v106/7c+/S7Gw2rTES3ZM+/tY8Thy//PqI4nWcFE8tg=-2', '5aAf7hTg7VxIcU8iGA8lrYNltT+XefedxKPX6Tlj+Uo=-2', false],
  ])('stored %s against %s: %s', (stored, computed, expected) => {
    expect(sameComposite(stored, computed)).toBe(expected);
  });
});
