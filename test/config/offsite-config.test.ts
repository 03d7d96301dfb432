import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { describeDestination } from '../../src/config/offsite-destination.js';
import { configProblems } from '../support/config-problems.js';

const FILE = '/etc/ops/ops.config.yaml';
const ENV = { S3_KEY_ID: 'AKIDEXAMPLE', S3_SECRET: 'wJalrXUtnFEMI-secret' };

function offsiteOf(yaml: string) {
  return parseConfig(`backup:\n  offsite: ${yaml}\n`, FILE, ENV).backup.offsite;
}

const problemsOf = (yaml: string): string[] => configProblems(() => offsiteOf(yaml));

describe('backup.offsite: one destination or a list', () => {
  it.each<[string, string, string[]]>([
    ['a single path (configs from before lists)', '/srv/offsite', ['/srv/offsite']],
    ['a relative path, against the config dir', './copies', ['/etc/ops/copies']],
    ['a single ssh:// string', 'ssh://backup@vault:2222/srv/ops', ['ssh://backup@vault:2222/srv/ops']],
    ['an s3:// string (AWS credential chain)', 's3://acme-backups/ops', ['s3://acme-backups/ops']],
    ['an s3:// bucket root', 's3://acme-backups', ['s3://acme-backups']],
    ['a list mixing kinds', '[ssh://vault/srv/ops, "s3://acme-backups/ops/"]', ['ssh://vault/srv/ops', 's3://acme-backups/ops']],
    ['an empty list', '[]', []],
  ])('%s', (_, yaml, names) => {
    expect(offsiteOf(yaml).map(describeDestination)).toStrictEqual(names);
  });

  it('an s3 object: endpoint, region, path style, and the keys as secrets that never print', () => {
    const [s3] = offsiteOf('\n    - url: s3://acme-backups/nightly\n      endpoint: http://127.0.0.1:7070\n      region: eu-central\n      forcePathStyle: true\n      accessKeyId: ${S3_KEY_ID}\n      secretAccessKey: ${S3_SECRET}');
    expect(s3).toMatchObject({ kind: 's3', bucket: 'acme-backups', prefix: 'nightly', endpoint: 'http://127.0.0.1:7070', region: 'eu-central', forcePathStyle: true, storageChecksums: true });
    if (s3?.kind !== 's3') throw new Error('expected s3');
    expect(s3.secretAccessKey?.reveal()).toBe(ENV.S3_SECRET);
    expect(JSON.stringify(s3)).not.toContain(ENV.S3_SECRET);
    expect(inspect(s3)).not.toContain(ENV.S3_SECRET);
  });

  it('an s3 string has no endpoint, path style off, no keys', () => {
    expect(offsiteOf('s3://acme-backups/ops')).toStrictEqual([{ kind: 's3', bucket: 'acme-backups', prefix: 'ops', forcePathStyle: false, storageChecksums: true }]);
  });
});

describe('backup.offsite: problems name their path', () => {
  it.each<[string, string, string[]]>([
    ['an unsupported scheme in a list', '[/srv/a, "gs://bucket/ops"]', ['backup.offsite[1]: unsupported scheme in "gs://bucket/ops": use a path, ssh:// or s3://']],
    ['a bad bucket name', '"s3://Acme_Backups/x"', ['backup.offsite: expected s3://bucket/prefix with a bucket of 3-63 lower-case letters, digits, dots or hyphens, got "s3://Acme_Backups/x"']],
    ['an s3 object whose url is not s3://', '{ url: /srv/x }', ['backup.offsite.url: expected s3://bucket/prefix with a bucket of 3-63 lower-case letters, digits, dots or hyphens, got "/srv/x"']],
    ['a literal secret key', '{ url: s3://acme-backups, accessKeyId: AKID, secretAccessKey: "${S3_SECRET}" }', ['backup.offsite.accessKeyId: expected a secret reference ${ENV_VAR} or file:path, not a literal value']],
    ['only one of the two keys', '{ url: s3://acme-backups, accessKeyId: "${S3_KEY_ID}" }', ['backup.offsite: give both accessKeyId and secretAccessKey, or neither for the AWS credential chain']],
    ['an unknown key in an s3 object', '[/srv/a, { url: s3://acme-backups, pathStyle: true }]', ['backup.offsite[1]: unknown key "pathStyle"']],
    ['the same destination twice', '[s3://acme-backups/ops, { url: "s3://acme-backups/ops/", endpoint: "http://x" }]', ['backup.offsite[1]: s3://acme-backups/ops is listed twice']],
    ['an endpoint without its scheme', '{ url: s3://acme-backups, endpoint: "127.0.0.1:9000" }', ['backup.offsite.endpoint: expected an http:// or https:// URL, e.g. https://s3.example.com or http://127.0.0.1:9000, got "127.0.0.1:9000"']],
    ['an endpoint that is not http(s)', '{ url: s3://acme-backups, endpoint: "ftp://s3.example.com" }', ['backup.offsite.endpoint: expected an http:// or https:// URL, e.g. https://s3.example.com or http://127.0.0.1:9000, got "ftp://s3.example.com"']],
    ['a number', '5', ['backup.offsite: expected a destination or a list of them']],
  ])('%s', (_, yaml, problems) => {
    expect(problemsOf(yaml)).toStrictEqual(problems);
  });
});
