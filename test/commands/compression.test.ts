import { describe, expect, expectTypeOf, it } from 'vitest';
import { compress, compressionSuffix, decompress, type CompressionKind } from '../../src/commands/compression.js';
import type { Command } from '../../src/commands/command.js';
import type { OpsConfigParsed } from '../../src/config/schema.js';

describe('compression commands', () => {
  it('accepts every kind the config allows', () => {
    expectTypeOf<OpsConfigParsed['backup']['mysqlCompression']>().toExtend<CompressionKind>();
  });

  it.each<[CompressionKind, Command]>([
    ['zstd', { file: 'zstd', args: ['-q', '-c', '-3', '-T0'], writesInOrder: true }],
    ['gzip', { file: 'gzip', args: ['-c', '-6'], writesInOrder: true }],
  ])('compress(%s)', (kind, expected) => {
    expect(compress(kind)).toEqual(expected);
  });

  it.each<[CompressionKind, string | undefined, Command]>([
    ['zstd', '/srv/backups/app.sql.zst', { file: 'zstd', args: ['-dc', '-q', '--', '/srv/backups/app.sql.zst'] }],
    ['zstd', undefined, { file: 'zstd', args: ['-dc', '-q'] }],
    ['gzip', undefined, { file: 'gzip', args: ['-dc'] }],
    ['gzip', '/srv/backups/app.sql.gz', { file: 'gzip', args: ['-dc', '--', '/srv/backups/app.sql.gz'] }],
    ['gzip', '-odd name.gz', { file: 'gzip', args: ['-dc', '--', '-odd name.gz'] }],
  ])('decompress(%s, %s)', (kind, file, expected) => {
    expect(decompress(kind, file)).toEqual(expected);
  });

  it.each<[CompressionKind, string]>([
    ['zstd', '.zst'],
    ['gzip', '.gz'],
  ])('compressionSuffix(%s) is %s', (kind, suffix) => {
    expect(compressionSuffix(kind)).toBe(suffix);
  });
});
