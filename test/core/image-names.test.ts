import { describe, expect, it } from 'vitest';
import { imageMismatches, outputLines, shippedImageName } from '../../src/core/image-names.js';

const SHA = '0123abcd4567ef890123abcd4567ef8901234567';

describe('shippedImageName', () => {
  it.each<[string, string, string, string]>([
    ['a built image: the stage project prefix becomes the app', 'crm-prod', 'crm-prod-app', 'crm-app:0123abcd4567'],
    ['the same service on another stage gets the same name', 'crm-staging', 'crm-staging-app', 'crm-app:0123abcd4567'],
    ['a tagged built image: the tag gives way to the SHA', 'crm-prod', 'crm-prod-worker:latest', 'crm-worker:0123abcd4567'],
    ['an image the compose file names keeps its name under the app', 'crm-prod', 'redis:7', 'crm-redis:0123abcd4567'],
    ['a registry path: / and : become -', 'crm-prod', 'ghcr.io/acme/api', 'crm-ghcr.io-acme-api:0123abcd4567'],
  ])('%s', (_name, project, image, expected) => {
    expect(shippedImageName('crm', project, image, SHA)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['a built image goes under the registry path', 'crm-prod-app', 'registry.example.com/team/crm-app:0123abcd4567'],
    ['the same under any stage', 'crm-staging-app', 'registry.example.com/team/crm-app:0123abcd4567'],
  ])('with build.registry: %s', (_name, image, expected) => {
    expect(shippedImageName('crm', image.replace(/-app$/, ''), image, SHA, 'registry.example.com/team')).toBe(expected);
  });
});

describe('outputLines', () => {
  it.each<[string, string, string[]]>([
    ['one per line, the trailing newline dropped', 'crm-prod-app\ncrm-prod-worker\n', ['crm-prod-app', 'crm-prod-worker']],
    ['blank lines and padding dropped', '\n  sha256:ab \n\n', ['sha256:ab']],
    ['nothing', '', []],
  ])('%s', (_name, text, expected) => {
    expect(outputLines(text)).toEqual(expected);
  });
});

describe('imageMismatches', () => {
  it.each<[string, Record<string, string>, Record<string, string>, string[]]>([
    ['the same IDs', { 'crm-app:0123': 'sha256:aa' }, { 'crm-app:0123': 'sha256:aa' }, []],
    ['a different ID', { 'crm-app:0123': 'sha256:aa' }, { 'crm-app:0123': 'sha256:bb' }, ['crm-app:0123: built sha256:aa, got sha256:bb']],
    ['an image missing on the later host', { 'crm-app:0123': 'sha256:aa', 'crm-worker:0123': 'sha256:cc' }, { 'crm-app:0123': 'sha256:aa' }, ['crm-worker:0123: built sha256:cc, got none']],
  ])('%s', (_name, built, shipped, expected) => {
    expect(imageMismatches(built, shipped)).toEqual(expected);
  });
});
