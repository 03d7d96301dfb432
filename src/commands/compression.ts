import type { Command } from './command.js';

export type CompressionKind = 'zstd' | 'gzip';

/** Compresses stdin to stdout. zstd -T0 uses every core; both levels are the tools' defaults, spelled out. */
export function compress(kind: CompressionKind): Command {
  return kind === 'zstd' ? { file: 'zstd', args: ['-q', '-c', '-3', '-T0'] } : { file: 'gzip', args: ['-c', '-6'] };
}

/** Decompresses `file` to stdout. */
export function decompress(kind: CompressionKind, file: string): Command {
  return kind === 'zstd' ? { file: 'zstd', args: ['-dc', '-q', '--', file] } : { file: 'gzip', args: ['-dc', '--', file] };
}

export function compressionSuffix(kind: CompressionKind): '.zst' | '.gz' {
  return kind === 'zstd' ? '.zst' : '.gz';
}
